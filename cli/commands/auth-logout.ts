import type { SecretKind } from '../../common/models/secret-kind.js';
import { instanceNetworkOptions } from '../../core/auth/oauth/oauth-network.js';
import { revokeOAuthTokens } from '../../core/auth/oauth/oauth-sign-out.js';
import { createDispatcher } from '../../core/net/network-factory.js';
import type { Command } from '../command.js';
import { secretsFor, settingsFor } from './installation-support.js';

/** What signing out forgets; the OAuth client secret and webhook secret are configuration. */
const CREDENTIAL_KINDS: readonly SecretKind[] = ['pat', 'oauth-tokens'];

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
    let revoked = false;
    if (installation.auth.kind === 'oauth') {
      // Best effort, before the tokens are forgotten: a copy elsewhere stops working too.
      const dispatcher = createDispatcher({
        ...instanceNetworkOptions(installation),
        env: context.io.env,
      });
      try {
        revoked = await revokeOAuthTokens(installation, secrets, dispatcher);
      } finally {
        await dispatcher.close().catch(() => undefined);
      }
    }
    const deleted: SecretKind[] = [];
    for (const kind of CREDENTIAL_KINDS) {
      if (await secrets.delete({ installationId: installation.id, kind })) deleted.push(kind);
    }
    const previous = installation.auth.kind;
    settings.saveInstallation({ ...installation, auth: { kind: 'none' } });
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
