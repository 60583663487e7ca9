import { CompanionError } from '../../common/errors/companion-error.js';
import { unregisterInstallationWebhooks } from '../../core/use-cases/unregister-webhooks.js';
import type { WebhookTarget } from '../../core/webhooks/webhook-target.js';
import type { Command } from '../command.js';
import {
  WEBHOOK_TARGET_OPTION_HELP,
  WEBHOOK_TARGET_OPTIONS,
  webhookTargetsFromFlags,
  withWebhookPorts,
} from './webhooks-support.js';

/**
 * `webhooks unregister <name> (--repo P/slug... | --project KEY... | --all)`: deletes the "Ankra"
 * webhooks from BDC and forgets them, for a relay being retired or moved.
 */
export const webhooksUnregisterCommand: Command = {
  path: ['webhooks', 'unregister'],
  summary: 'delete the "Ankra" BDC webhooks from repositories or projects, or all registered ones',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: { ...WEBHOOK_TARGET_OPTIONS, all: { type: 'boolean' } },
  optionHelp: [
    ...WEBHOOK_TARGET_OPTION_HELP,
    ['--all', 'every webhook `webhooks list` shows for the installation'],
  ],
  async run(context) {
    const named = webhookTargetsFromFlags(context.flags);
    const all = context.flags['all'] === true;
    if (all === named.length > 0) {
      throw new CompanionError(
        'USAGE_INVALID',
        'Name --repo PROJECT/slug or --project KEY targets, or give --all (not both).',
      );
    }
    const targets: readonly WebhookTarget[] | 'all' = all ? 'all' : named;
    const removed = await withWebhookPorts(context, (ports) =>
      unregisterInstallationWebhooks(ports, {
        installation: context.positionals[0] as string,
        targets,
      }),
    );
    context.output.success({ removed }, () =>
      removed.length === 0
        ? 'no "Ankra" webhooks to remove'
        : removed
            .map(
              (each) =>
                `${each.target}: webhook ${each.webhookId} ${each.bdc === 'deleted' ? 'deleted' : 'was already gone in BDC; forgotten'}`,
            )
            .join('\n'),
    );
  },
};
