import { removeInstallationWithSecrets } from '../../core/settings/remove-installation.js';
import type { Command } from '../command.js';
import { secretsFor, settingsFor } from './installation-support.js';

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
    const settings = settingsFor(context);
    // An unknown name fails before the keychain is asked anything.
    const target = settings.requireInstallation(context.positionals[0] as string);
    const keepSecrets = context.flags['keep-secrets'] === true;
    const { installation, deleted, kept } = await removeInstallationWithSecrets(
      settings,
      keepSecrets ? undefined : await secretsFor(context, settings),
      target.id,
    );
    context.logger.info('installation removed', {
      installation: installation.name,
      secretsDeleted: deleted,
      secretsKept: kept,
    });
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
