import type { Installation } from '../../common/models/installation.js';
import type { SecretKind } from '../../common/models/secret-kind.js';
import { createDispatcher } from '../net/network-factory.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { instanceNetworkOptions } from './oauth/oauth-network.js';
import { revokeOAuthTokens } from './oauth/oauth-sign-out.js';

/** What signing out forgets; the OAuth client secret and webhook secret are configuration. */
export const CREDENTIAL_KINDS: readonly SecretKind[] = ['pat', 'oauth-tokens'];

export interface SignOutResult {
  readonly previousMode: Installation['auth']['kind'];
  readonly deleted: readonly SecretKind[];
  /** OAuth only: whether Bitbucket confirmed the revocation (best effort). */
  readonly revoked: boolean;
}

/**
 * Signs an installation out, for `auth logout` and the UI alike: OAuth tokens are revoked at
 * Bitbucket first (best effort, while they are still known) so a copy elsewhere stops working,
 * then the credentials are deleted and the settings say `none`.
 */
export async function signOutInstallation(
  settings: SettingsStore,
  secrets: SecretStore,
  installation: Installation,
  options: { readonly env: Readonly<Record<string, string | undefined>> },
): Promise<SignOutResult> {
  let revoked = false;
  if (installation.auth.kind === 'oauth') {
    const dispatcher = createDispatcher({
      ...instanceNetworkOptions(installation),
      env: options.env,
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
  settings.saveInstallation({ ...installation, auth: { kind: 'none' } });
  return { previousMode: installation.auth.kind, deleted, revoked };
}
