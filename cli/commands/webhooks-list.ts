import { listInstallationWebhooks } from '../../core/use-cases/list-webhooks.js';
import type { Command } from '../command.js';
import { withWebhookPorts } from './webhooks-support.js';

/** `webhooks list <name>`: the webhooks the companion registered, checked against BDC. */
export const webhooksListCommand: Command = {
  path: ['webhooks', 'list'],
  summary: 'list the BDC webhooks registered for the relay and whether BDC still has them',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: { offline: { type: 'boolean' } },
  optionHelp: [['--offline', 'do not ask BDC; show what the companion registered']],
  async run(context) {
    const webhooks = await withWebhookPorts(context, (ports) =>
      listInstallationWebhooks(ports, {
        installation: context.positionals[0] as string,
        offline: context.flags['offline'] === true,
      }),
    );
    context.output.success({ webhooks }, () =>
      webhooks.length === 0
        ? 'no webhooks registered; use `webhooks register`'
        : webhooks
            .map((webhook) =>
              [
                webhook.scope === 'project'
                  ? `project ${webhook.project}`
                  : `${webhook.project}/${webhook.slug ?? ''}`,
                `#${webhook.webhookId}`,
                webhook.url,
                `bdc: ${webhook.bdc}`,
                `secret rotated: ${webhook.secretRotatedAt ?? 'never'}`,
              ].join('  '),
            )
            .join('\n'),
    );
  },
};
