import type { Database } from 'better-sqlite3';
import type { BdcClient } from '../../core/bdc/bdc-client.js';
import { openSignedInClient } from '../../core/use-cases/open-signed-in-client.js';
import type { Installation } from '../../common/models/installation.js';
import type { SecretStore } from '../../core/secrets/secret-store.js';
import { BdcWebhooks } from '../../core/webhooks/bdc-webhooks.js';
import {
  parseProjectTarget,
  parseRepositoryTarget,
  type WebhookTarget,
} from '../../core/webhooks/webhook-target.js';
import type { CommandContext } from '../command.js';
import { openSecrets, requireInstallation, withDatabase } from './relay-support.js';
import { listFlag } from '../flag-values.js';

/** The targets of `--repo PROJECT/slug` (repeated or comma-separated) and `--project KEY`. */
export function webhookTargetsFromFlags(flags: Readonly<Record<string, unknown>>): WebhookTarget[] {
  return [
    ...listFlag(flags['repo'], true).map(parseRepositoryTarget),
    ...listFlag(flags['project'], true).map(parseProjectTarget),
  ];
}

/** The signed-in REST client of an installation, through the one network factory. */
export async function openWebhooks(
  context: CommandContext,
  installation: Installation,
  secrets: SecretStore,
  relayUrl?: string,
): Promise<{ webhooks: BdcWebhooks; client: BdcClient }> {
  const { client } = await openSignedInClient(
    { secretStore: secrets, env: context.io.env, logger: context.logger },
    installation,
  );
  return { webhooks: new BdcWebhooks(client, relayUrl), client };
}

/** The `--repo` and `--project` options of the commands that act on webhook targets. */
export const WEBHOOK_TARGET_OPTIONS = {
  repo: { type: 'string', multiple: true },
  project: { type: 'string', multiple: true },
} as const;

export const WEBHOOK_TARGET_OPTION_HELP: readonly (readonly [string, string])[] = [
  ['--repo PROJECT/slug', 'a repository (repeat, or separate with commas)'],
  ['--project KEY', 'a project-level webhook, inherited by all its repositories (repeatable)'],
];

/**
 * Runs `work` with the installation's webhook client and the shared database, and closes the
 * client's connections whatever happens.
 */
export async function withInstallationWebhooks<T>(
  context: CommandContext,
  name: string,
  work: (opened: {
    readonly installation: Installation;
    readonly secrets: SecretStore;
    readonly webhooks: BdcWebhooks;
    readonly database: Database;
  }) => Promise<T>,
): Promise<T> {
  const { settings, installation } = requireInstallation(context, name);
  const secrets = await openSecrets(context, settings);
  const { webhooks, client } = await openWebhooks(context, installation, secrets);
  try {
    return await withDatabase(context, (database) =>
      work({ installation, secrets, webhooks, database }),
    );
  } finally {
    await client.close();
  }
}

export { localInterfaces } from '../../core/webhooks/local-interfaces.js';
