import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { installationRows, installationView } from './installation-support.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';

/** `installation show <name>`: one installation's settings (there are no secrets in them). */
export const installationShowCommand: Command = {
  path: ['installation', 'show'],
  summary: 'show one installation',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const installation = openLocalPorts(context.home, context.io.env).settings.requireInstallation(
      context.positionals[0] as string,
    );
    context.output.success({ installation: installationView(installation) }, () =>
      formatRows(installationRows(installation)),
    );
  },
};
