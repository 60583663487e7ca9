import type { Database } from 'better-sqlite3';
import type { WebhookSecretChange } from '../../common/api/models.js';
import { isCompanionError } from '../../common/errors/companion-error.js';
import { createAuthorization } from '../../core/auth/installation-authorization.js';
import { createBdcClient, type BdcClient } from '../../core/bdc/bdc-client.js';
import type { Installation } from '../../common/models/installation.js';
import { installationNetworkOptions } from '../../core/net/installation-network.js';
import { createDispatcher } from '../../core/net/network-factory.js';
import type { SecretStore } from '../../core/secrets/secret-store.js';
import type { LocalPorts } from '../../core/use-cases/local-ports.js';
import type { WebhookSecretPorts } from '../../core/webhooks/change-webhook-secret.js';
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
  const dispatcher = createDispatcher({
    ...installationNetworkOptions(installation),
    env: context.io.env,
  });
  try {
    const authorization = await createAuthorization(installation, secrets, { dispatcher });
    const client = createBdcClient({
      baseUrl: installation.baseUrl,
      authorization,
      dispatcher,
      ownsDispatcher: true,
    });
    return { webhooks: new BdcWebhooks(client, relayUrl), client };
  } catch (error) {
    await dispatcher.close().catch(() => undefined);
    throw error;
  }
}

/**
 * What changing the webhook secret needs on the command line: the pinned secret store, the
 * shared database (which webhooks were registered), and the signed-in client, opened only when
 * there are webhooks to switch.
 */
export async function webhookSecretPorts(
  context: CommandContext,
  ports: LocalPorts,
): Promise<WebhookSecretPorts> {
  const secrets = await ports.secretStore();
  return {
    secretStore: secrets,
    database: ports.database(),
    openWebhooks: async (installation) => {
      const { webhooks, client } = await openWebhooks(context, installation, secrets);
      return { webhooks, close: () => client.close() };
    },
  };
}

/**
 * Runs a webhook secret change; when BDC did not switch some webhooks, the `--json` failure
 * document carries which ones (`webhookSecret.pending`) beside the error.
 */
export async function withSecretFailureDetails<T>(
  context: CommandContext,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isCompanionError(error, 'WEBHOOK_SECRET_NOT_APPLIED') && error.data !== undefined) {
      context.output.setFailureDetails({ webhookSecret: error.data });
    }
    throw error;
  }
}

/** How a changed webhook secret is told on the command line (never the secret itself). */
export function webhookSecretRows(change: WebhookSecretChange): [string, string][] {
  return [
    [
      'webhook secret',
      change.switched.length === 0
        ? 'stored (no BDC webhook registered yet: `webhooks register` puts it on new ones)'
        : `stored; ${change.switched.length} BDC webhook${change.switched.length === 1 ? '' : 's'} switched to it`,
    ],
    ...change.switched.map((hook): [string, string] => [
      `  ${hook.target}`,
      `webhook ${hook.webhookId} ${hook.method}`,
    ]),
    ...(change.previousAcceptedUntil === undefined
      ? []
      : [
          ['previous secret', `accepted by the relay until ${change.previousAcceptedUntil}`] as [
            string,
            string,
          ],
        ]),
  ];
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
