import { CompanionError } from '../../common/errors/companion-error.js';
import {
  defaultRelayUrl,
  registerInstallationWebhooks,
} from '../../core/use-cases/register-webhooks.js';
import type { Command } from '../command.js';
import {
  WEBHOOK_TARGET_OPTION_HELP,
  WEBHOOK_TARGET_OPTIONS,
  webhookTargetsFromFlags,
  withWebhookPorts,
} from './webhooks-support.js';

/**
 * `webhooks register <name> --repo P/slug... [--project P] --url URL`: the BDC webhook named
 * "Ankra" on each repository (or project), pointing at the relay, with the installation's
 * secret; then BDC's own test says whether BDC reached the relay.
 */
export const webhooksRegisterCommand: Command = {
  path: ['webhooks', 'register'],
  summary:
    'create or update the "Ankra" BDC webhook on repositories or projects, then test it from BDC',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: { ...WEBHOOK_TARGET_OPTIONS, url: { type: 'string' } },
  optionHelp: [
    ...WEBHOOK_TARGET_OPTION_HELP,
    [
      '--url URL',
      'the relay URL as BDC reaches it: https://host:port/webhooks/bitbucket-dc/{installation id}',
    ],
  ],
  async run(context) {
    const { flags } = context;
    const targets = webhookTargetsFromFlags(flags);
    if (targets.length === 0) {
      throw new CompanionError(
        'USAGE_INVALID',
        'Name at least one --repo PROJECT/slug or --project KEY.',
      );
    }
    const name = context.positionals[0] as string;
    const result = await withWebhookPorts(context, (ports) => {
      const url =
        typeof flags['url'] === 'string'
          ? flags['url']
          : defaultRelayUrl(ports.settings.requireInstallation(name));
      if (url === undefined) {
        throw new CompanionError(
          'USAGE_INVALID',
          'Give the relay URL as BDC reaches it with --url.',
        );
      }
      return registerInstallationWebhooks(ports, {
        installation: name,
        targets,
        url,
        surface: 'cli',
      });
    });
    for (const warning of result.warnings)
      context.output.note(`${context.output.paint('warning', 33)} ${warning}`);
    const reached = result.webhooks.every((webhook) => webhook.test.reached);
    context.output.success({ ...result, reached }, () =>
      [
        ...result.webhooks.map(
          (webhook) =>
            `${webhook.target}: webhook ${webhook.webhookId} ${webhook.action}; BDC test ${
              webhook.test.reached
                ? `reached the relay (${webhook.test.status})`
                : `did NOT reach the relay (${webhook.test.status ?? webhook.test.error ?? 'no answer'})`
            }`,
        ),
        result.relayRecordedPing
          ? "the relay on this machine recorded BDC's test ping: BDC → relay works"
          : reached
            ? 'BDC got an answer, but the relay of this config home did not record the ping: is the URL this relay?'
            : 'BDC cannot reach the relay at this URL: run the relay where BDC can reach it (not behind a laptop VPN) and register again',
      ].join('\n'),
    );
  },
};
