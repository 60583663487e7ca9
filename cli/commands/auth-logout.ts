import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { signOut } from '../../core/use-cases/sign-out.js';
import type { Command } from '../command.js';

/** `auth logout <name>`: forgets the installation's credential (token or OAuth tokens). */
export const authLogoutCommand: Command = {
  path: ['auth', 'logout'],
  summary: 'forget the credential of an installation',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const ports = openLocalPorts(context.home, context.io.env);
    const {
      installation,
      previousMode: previous,
      deleted,
      revoked,
    } = await signOut(
      {
        settings: ports.settings,
        secretStore: ports.secretStore,
        env: ports.env,
        logger: context.logger,
      },
      { installation: context.positionals[0] as string },
    );
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
