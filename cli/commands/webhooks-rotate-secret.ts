import { CompanionError } from '../../common/errors/companion-error.js';
import { rotateInstallationWebhookSecret } from '../../core/use-cases/rotate-webhook-secret.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { readSecretFromStdin } from './installation-support.js';
import {
  webhookSecretRows,
  withSecretFailureDetails,
  withWebhookPorts,
} from './webhooks-support.js';

/**
 * `webhooks rotate-secret <name> --secret-stdin`: the new secret the Ankra platform issued, put
 * on every registered webhook; the relay accepts the old and the new one meanwhile. The platform
 * issues the secret (docs/relay-and-services.md, "Who issues the webhook secret"), so the
 * companion never makes one up, and never prints one.
 */
export const webhooksRotateSecretCommand: Command = {
  path: ['webhooks', 'rotate-secret'],
  summary:
    'switch every registered BDC webhook to the new secret the Ankra platform issued (read from standard input)',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: { 'secret-stdin': { type: 'boolean' } },
  optionHelp: [
    [
      '--secret-stdin',
      'read the new webhook secret the Ankra platform issued from standard input (required)',
    ],
  ],
  async run(context) {
    const name = context.positionals[0] as string;
    if (context.flags['secret-stdin'] !== true) {
      throw new CompanionError(
        'USAGE_INVALID',
        'The Ankra platform issues the webhook secret: issue a new one there, then give it on standard input with --secret-stdin.',
        {
          hint: `Issue a new webhook secret for this installation on the Ankra platform, then: bdc-companion webhooks rotate-secret ${name} --secret-stdin < secret.txt`,
        },
      );
    }
    const started = performance.now();
    const change = await withWebhookPorts(context, async (ports) => {
      ports.settings.requireInstallation(name);
      const secret = await readSecretFromStdin(context.io, 'webhook secret');
      return withSecretFailureDetails(context, () =>
        rotateInstallationWebhookSecret(ports, { installation: name, secret }),
      );
    });
    const totalMs = Math.round(performance.now() - started);
    context.output.success({ ...change, webhooks: change.switched, totalMs }, () =>
      [
        formatRows(webhookSecretRows(change)),
        'Deliveries the platform refused before it had the new secret are dead-lettered: `relay replay <name> --dead` sends them again.',
      ].join('\n'),
    );
  },
};
