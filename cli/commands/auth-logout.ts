import { signOutInstallation } from '../../core/auth/sign-out.js';
import type { Command } from '../command.js';
import { secretsFor, settingsFor } from './installation-support.js';

/** `auth logout <name>`: forgets the installation's credential (token or OAuth tokens). */
export const authLogoutCommand: Command = {
  path: ['auth', 'logout'],
  summary: 'forget the credential of an installation',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const settings = settingsFor(context);
    const installation = settings.requireInstallation(context.positionals[0] as string);
    const secrets = await secretsFor(context, settings);
    const {
      previousMode: previous,
      deleted,
      revoked,
    } = await signOutInstallation(settings, secrets, installation, { env: context.io.env });
    context.logger.info('signed out', {
      installation: installation.name,
      previousMode: previous,
      secretsDeleted: deleted,
      revoked,
    });
    context.output.success(
      {
        installation: installation.name,
        previousMode: previous,
        secretsDeleted: deleted,
        ...(previous === 'oauth' ? { revoked } : {}),
      },
      () =>
        previous === 'none' && deleted.length === 0
          ? `${installation.name} was not signed in.`
          : `Signed out of ${installation.name}${deleted.length > 0 ? ` (deleted: ${deleted.join(', ')})` : ''}.${
              previous === 'oauth'
                ? revoked
                  ? ' Bitbucket revoked the tokens.'
                  : ' Bitbucket could not be asked to revoke the tokens; they expire on their own.'
                : ''
            }`,
    );
  },
};
