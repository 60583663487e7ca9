import * as oauth from 'oauth4webapi';
import type { Dispatcher } from 'undici';
import type { Installation } from '../../../common/models/installation.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { oauthClientSecretKey, oauthTokensKey } from './oauth-authorization.js';
import { oauthHttpOptions } from './oauth-network.js';
import { parseTokenSet } from './oauth-token-set.js';
import { authorizationServer } from './token-client.js';

/** What `auth status` and the UI may show about an OAuth sign-in: never a token. */
export interface OAuthSignInSummary {
  readonly user: string;
  readonly clientId: string;
  readonly scope: string;
  /** Epoch ms; the access token is refreshed automatically before then. */
  readonly expiresAt: number;
  readonly refreshable: boolean;
  readonly obtainedAt: number;
}

/** undefined when no tokens are stored; throws OAUTH_TOKENS_UNREADABLE for a damaged value. */
export async function oauthSignInSummary(
  secrets: SecretStore,
  installationId: string,
): Promise<OAuthSignInSummary | undefined> {
  const stored = await secrets.get(oauthTokensKey(installationId));
  if (stored === undefined) return undefined;
  const set = parseTokenSet(stored);
  return {
    user: set.user,
    clientId: set.clientId,
    scope: set.scope,
    expiresAt: set.expiresAt,
    refreshable: set.refreshToken !== undefined,
    obtainedAt: set.obtainedAt,
  };
}

/**
 * Best effort: asks Bitbucket to revoke the refresh token (which takes its access token with it),
 * so a copy of the tokens elsewhere stops working. BDC's revoke path is not documented; any failure
 * returns false and the caller deletes the local secrets all the same.
 */
export async function revokeOAuthTokens(
  installation: Pick<Installation, 'id' | 'baseUrl'>,
  secrets: SecretStore,
  dispatcher: Dispatcher,
): Promise<boolean> {
  try {
    const stored = await secrets.get(oauthTokensKey(installation.id));
    const clientSecret = await secrets.get(oauthClientSecretKey(installation.id));
    if (stored === undefined || clientSecret === undefined) return false;
    const set = parseTokenSet(stored);
    const as = {
      ...authorizationServer(installation.baseUrl),
      revocation_endpoint: `${installation.baseUrl}/rest/oauth2/latest/revoke`,
    };
    const response = await oauth.revocationRequest(
      as,
      { client_id: set.clientId },
      oauth.ClientSecretPost(clientSecret),
      set.refreshToken ?? set.accessToken,
      {
        ...oauthHttpOptions(dispatcher),
        additionalParameters: {
          token_type_hint: set.refreshToken ? 'refresh_token' : 'access_token',
        },
      },
    );
    await oauth.processRevocationResponse(response);
    return true;
  } catch {
    return false;
  }
}
