import type { WebhookSecretChange } from '../../common/api/models.js';
import { isCompanionError } from '../../common/errors/companion-error.js';
import {
  parseProjectTarget,
  parseRepositoryTarget,
  type WebhookPorts,
} from '../../core/use-cases/webhook-ports.js';
import type { WebhookTarget } from '../../core/webhooks/webhook-target.js';
import type { CommandContext } from '../command.js';
import { listFlag } from '../flag-values.js';
import { withLocalPorts } from './relay-support.js';

/** The targets of `--repo PROJECT/slug` (repeated or comma-separated) and `--project KEY`. */
export function webhookTargetsFromFlags(flags: Readonly<Record<string, unknown>>): WebhookTarget[] {
  return [
    ...listFlag(flags['repo'], true).map(parseRepositoryTarget),
    ...listFlag(flags['project'], true).map(parseProjectTarget),
  ];
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

/** Runs `work` with the config home's ports as the webhook use cases take them. */
export function withWebhookPorts<T>(
  context: CommandContext,
  work: (ports: WebhookPorts) => Promise<T>,
): Promise<T> {
  return withLocalPorts(context, (ports) =>
    work({
      settings: ports.settings,
      secretStore: () => ports.secretStore(),
      database: ports.database(),
      env: ports.env,
      logger: context.logger,
    }),
  );
}
