import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { removeInstallation } from '../../core/use-cases/remove-installation.js';
import type { Command } from '../command.js';

/**
 * `installation remove <name>`: deletes the installation's secrets, then its settings. In that
 * order, so a keychain failure leaves everything in place and the command can simply be re-run.
 */
export const installationRemoveCommand: Command = {
  path: ['installation', 'remove'],
  summary: 'remove an installation and delete its secrets',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: { 'keep-secrets': { type: 'boolean' } },
  optionHelp: [
    [
      '--keep-secrets',
      'remove only the settings (for a keychain that cannot be reached); the secrets stay under io.ankra.bdc-companion/<id>/<kind>',
    ],
  ],
  async run(context) {
    const ports = openLocalPorts(context.home, context.io.env);
    const keepSecrets = context.flags['keep-secrets'] === true;
    const { installation, deleted, kept } = await removeInstallation(
      { settings: ports.settings, secretStore: ports.secretStore, logger: context.logger },
      { installation: context.positionals[0] as string, keepSecrets },
    );
    context.output.success(
      {
        removed: installation.name,
        id: installation.id,
        secretsDeleted: deleted,
        secretsKept: kept,
      },
      () =>
        [
          `Removed ${installation.name} (${installation.baseUrl}).`,
          deleted.length > 0
            ? `Deleted secrets: ${deleted.join(', ')}.`
            : 'No secrets were stored.',
          ...(kept.length > 0 && !keepSecrets
            ? [`Not deleted (managed outside the companion): ${kept.join(', ')}.`]
            : []),
        ].join('\n'),
    );
  },
};
