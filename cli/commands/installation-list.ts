import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { authSummary, installationView } from './installation-support.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';

/** `installation list`: every installation, with its URL and sign-in. */
export const installationListCommand: Command = {
  path: ['installation', 'list'],
  summary: 'list the installations (BDC instances) configured',
  maxPositionals: 0,
  async run(context) {
    const installations = openLocalPorts(context.home, context.io.env).settings.listInstallations();
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
