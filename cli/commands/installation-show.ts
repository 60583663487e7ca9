import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { authSummary, installationView, settingsFor } from './installation-support.js';

/** `installation show <name>`: one installation's settings (there are no secrets in them). */
export const installationShowCommand: Command = {
  path: ['installation', 'show'],
  summary: 'show one installation',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const installation = settingsFor(context).requireInstallation(context.positionals[0] as string);
    context.output.success({ installation: installationView(installation) }, () =>
      formatRows([
        ['name', installation.name],
        ['id', installation.id],
        ['url', installation.baseUrl],
        ['CAs', String(installation.caPems.length)],
        ...(installation.allowPartialChain === true
          ? [['partial chain', 'an intermediate CA may anchor the chain'] as [string, string]]
          : []),
        ['loopback', installation.allowLoopback ? 'allowed (development setting)' : 'refused'],
        [
          'platform',
          installation.platform
            ? `${installation.platform.baseUrl} (installation ${installation.platform.installationId})`
            : 'not linked',
        ],
        ['sign-in', authSummary(installation)],
        ['created', installation.createdAt],
      ]),
    );
  },
};
