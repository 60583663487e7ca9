import { rotateInstallationWebhookSecret } from '../../core/use-cases/rotate-webhook-secret.js';
import type { Command } from '../command.js';
import { withWebhookPorts } from './webhooks-support.js';

/**
 * `webhooks rotate-secret <name>`: a new webhook secret on every registered webhook; the relay
 * accepts the old and the new one meanwhile. The new secret is printed once, for the platform.
 */
export const webhooksRotateSecretCommand: Command = {
  path: ['webhooks', 'rotate-secret'],
  summary:
    'generate a new webhook secret, switch every registered BDC webhook to it, print it once for the platform',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const result = await withWebhookPorts(context, (ports) =>
      rotateInstallationWebhookSecret(ports, { installation: context.positionals[0] as string }),
    );
    const maxSwapMs = Math.max(0, ...result.webhooks.map((webhook) => webhook.swapMs));
    for (const failure of result.failed) {
      context.output.note(
        `${context.output.paint('warning', 33)} ${failure.target}: webhook ${failure.webhookId} still uses the previous secret (${failure.error})`,
      );
    }
    context.output.success({ ...result, maxSwapMs }, () =>
      [
        `New webhook secret (shown once; enter it in the Ankra platform for this installation now):`,
        '',
        `  ${result.secret}`,
        '',
        ...result.webhooks.map(
          (webhook) =>
            `${webhook.target}: webhook ${webhook.webhookId} ${webhook.method} in ${webhook.swapMs} ms`,
        ),
        `The relay accepts the previous secret until ${result.previousAcceptedUntil}.`,
        'Deliveries the platform refuses before it has the new secret are dead-lettered: `relay replay <name> --dead` sends them again.',
      ].join('\n'),
    );
  },
};
