import { CompanionError } from '../../common/errors/companion-error.js';
import { changeInstallation } from '../../core/use-cases/change-installation.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { WebhookRegistry } from '../../core/webhooks/webhook-registry.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { readSecretFromStdin } from './installation-support.js';
import {
  webhookSecretPorts,
  webhookSecretRows,
  withSecretFailureDetails,
} from './webhooks-support.js';

/**
 * `webhooks rotate-secret <name> --secret-stdin`: the new secret the Ankra platform issued, put
 * on every registered webhook; the relay accepts the old and the new one meanwhile. The platform
 * issues the secret (docs/relay-and-services.md, "Who issues the webhook secret"), so the
 * companion never makes one up: this is `installation update --webhook-secret-stdin` for an
 * installation whose webhooks are registered, through the same use case.
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
    const ports = openLocalPorts(context.home, context.io.env);
    try {
      const installation = ports.settings.requireInstallation(name);
      if (new WebhookRegistry(ports.database()).list(installation.id).length === 0) {
        throw new CompanionError(
          'WEBHOOK_NOT_REGISTERED',
          'No BDC webhook is registered for this installation.',
          {
            hint: `Store the secret with \`installation update ${name} --webhook-secret-stdin\`, or register webhooks first: \`webhooks register ${name} --repo PROJECT/slug --url URL\`.`,
          },
        );
      }
      const secret = await readSecretFromStdin(context.io, 'webhook secret');
      const started = performance.now();
      const { webhookSecret } = await withSecretFailureDetails(context, async () =>
        changeInstallation(
          {
            settings: ports.settings,
            env: context.io.env,
            now: () => new Date(),
            logger: context.logger,
            webhookSecret: await webhookSecretPorts(context, ports),
          },
          { installation: installation.id, changes: {}, webhookSecret: secret },
        ),
      );
      if (webhookSecret === undefined) throw new Error('the webhook secret was not changed');
      const totalMs = Math.round(performance.now() - started);
      context.output.success({ ...webhookSecret, webhooks: webhookSecret.switched, totalMs }, () =>
        [
          formatRows(webhookSecretRows(webhookSecret)),
          'Deliveries the platform refused before it had the new secret are dead-lettered: `relay replay <name> --dead` sends them again.',
        ].join('\n'),
      );
    } finally {
      ports.close();
    }
  },
};
