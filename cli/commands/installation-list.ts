import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { authSummary, installationView, settingsFor } from './installation-support.js';

/** `installation list`: every installation, with its URL and sign-in. */
export const installationListCommand: Command = {
  path: ['installation', 'list'],
  summary: 'list the installations (BDC instances) configured',
  maxPositionals: 0,
  async run(context) {
    const installations = settingsFor(context).listInstallations();
    context.output.success({ installations: installations.map(installationView) }, () =>
      installations.length === 0
        ? 'No installation yet; add one with `bdc-companion installation add <name> --url URL`.'
        : formatRows(
            installations.map((installation) => [
              installation.name,
              `${installation.baseUrl}  ${authSummary(installation)}`,
            ]),
          ),
    );
  },
};
