import * as oauth from 'oauth4webapi';
import type { Dispatcher } from 'undici';
import { CompanionError, isCompanionError } from '../../../common/errors/companion-error.js';
import {
  authorizeEndpoint,
  tokenEndpoint,
  type PendingAuthorization,
} from './authorization-request.js';
import { serverText, tokenEndpointError } from './oauth-errors.js';
import { getWithoutRedirect, oauthHttpOptions } from './oauth-network.js';

/**
 * The token endpoint calls of BDC's OAuth provider, through oauth4webapi and the product's
 * dispatcher. BDC always validates the client secret, so the client authenticates with it
 * (form fields, which BDC accepts as well as HTTP Basic).
 */
export interface TokenClientContext {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly dispatcher: Dispatcher;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly expiresInSeconds: number;
  readonly scope: string;
}

/** BDC has no usable discovery document for clients, so the metadata is built by hand. */
export function authorizationServer(baseUrl: string): oauth.AuthorizationServer {
  return {
    issuer: new URL(baseUrl).origin,
    authorization_endpoint: authorizeEndpoint(baseUrl),
    token_endpoint: tokenEndpoint(baseUrl),
  };
}

function issued(response: oauth.TokenEndpointResponse): IssuedTokens {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    // BDC's default is 3600 s; a missing value is treated as that rather than as "forever".
    expiresInSeconds: typeof response.expires_in === 'number' ? response.expires_in : 3600,
    scope: typeof response.scope === 'string' ? response.scope : '',
  };
}

/** Redeems the code at once (BDC codes live seconds), with the PKCE verifier. */
export async function redeemCode(
  context: TokenClientContext,
  pending: PendingAuthorization,
  callbackParameters: URLSearchParams,
): Promise<IssuedTokens> {
  const as = authorizationServer(context.baseUrl);
  const client: oauth.Client = { client_id: context.clientId };
  const errorContext = {
    grant: 'authorization_code' as const,
    redirectUri: pending.redirectUri,
    clientId: context.clientId,
  };
  try {
    const parameters = oauth.validateAuthResponse(as, client, callbackParameters, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(context.clientSecret),
      parameters,
      pending.redirectUri,
      pending.codeVerifier,
      oauthHttpOptions(context.dispatcher),
    );
    return issued(await oauth.processAuthorizationCodeResponse(as, client, response));
  } catch (error) {
    throw tokenEndpointError(error, errorContext);
  }
}

export async function refreshTokens(
  context: TokenClientContext,
  refreshToken: string,
): Promise<IssuedTokens> {
  const as = authorizationServer(context.baseUrl);
  const client: oauth.Client = { client_id: context.clientId };
  try {
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(context.clientSecret),
      refreshToken,
      oauthHttpOptions(context.dispatcher),
    );
    return issued(await oauth.processRefreshTokenResponse(as, client, response));
  } catch (error) {
    throw tokenEndpointError(error, {
      grant: 'refresh_token',
      redirectUri: undefined,
      clientId: context.clientId,
    });
  }
}

/**
 * Who the token acts as: BDC has no "current user" resource, so an endpoint anonymous callers
 * cannot use is called and `X-AUSERNAME` read (unknown Bearer tokens are served as anonymous).
 */
export async function identifyUser(
  baseUrl: string,
  accessToken: string,
  dispatcher: Dispatcher,
): Promise<string> {
  let status: number;
  let user: string | null;
  try {
    const response = await getWithoutRedirect(
      `${baseUrl}/rest/api/1.0/users?limit=1`,
      { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      dispatcher,
    );
    status = response.status;
    user = response.headers.get('x-ausername');
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (isCompanionError(cause)) throw cause;
    const reason = cause instanceof Error ? cause.message : String(error);
    throw new CompanionError(
      'OAUTH_SERVER_UNREACHABLE',
      `Bitbucket could not be reached to confirm who the new token belongs to: ${serverText(reason)}`,
      { cause: error },
    );
  }
  if (status !== 200 || user === null || user === '') {
    throw new CompanionError(
      'OAUTH_TOKEN_NOT_ACCEPTED',
      `Bitbucket did not accept the new access token (HTTP ${status}${user ? '' : ', no X-AUSERNAME'}).`,
      { data: { status } },
    );
  }
  return user;
}
