import type { Dispatcher } from 'undici';
import { CompanionError, isCompanionError } from '../../../common/errors/companion-error.js';
import { authorizationError, type PendingAuthorization } from './authorization-request.js';
import { serverText } from './oauth-errors.js';
import { getWithoutRedirect } from './oauth-network.js';

/**
 * Asks Bitbucket for the authorization page once, without cookies, before the browser is opened.
 * BDC shows its own error page — and never redirects — when the client id is unknown or the
 * redirect URI is not registered exactly; in the browser the user would just be stuck there. Seen
 * from here, it becomes a clear error naming the URI to register. Any other answer (the login or
 * consent page, or a redirect to the login) lets the sign-in proceed.
 */
export async function preflightAuthorization(
  pending: PendingAuthorization,
  dispatcher: Dispatcher,
): Promise<void> {
  let response;
  try {
    response = await getWithoutRedirect(
      pending.authorizationUrl,
      { Accept: 'text/html' },
      dispatcher,
    );
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (isCompanionError(cause)) throw cause;
    if (isCompanionError(error)) throw error;
    const reason = cause instanceof Error ? cause.message : String(error);
    throw new CompanionError(
      'OAUTH_SERVER_UNREACHABLE',
      `The Bitbucket authorization endpoint could not be reached: ${serverText(reason)}`,
      { cause: error },
    );
  }
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location !== null) {
    if (location.split(/[?#]/, 1)[0] === pending.redirectUri) {
      // Bitbucket accepted client and URI but sent an OAuth error straight back (scope, PKCE).
      const params = queryOf(location);
      const error = params?.get('error');
      if (error) {
        throw authorizationError(
          error,
          params?.get('error_description') ?? undefined,
          pending.scopes,
        );
      }
    }
    return;
  }
  if (response.status >= 400 && response.status < 500) {
    const reported = /data-error="([^"]*)"/.exec(response.text)?.[1];
    const description = /class="error-description">([^<]*)</.exec(response.text)?.[1];
    const detail = [reported, description]
      .filter(Boolean)
      .map((part) => serverText(part))
      .join(': ');
    throw new CompanionError(
      'OAUTH_AUTHORIZE_REJECTED',
      `Bitbucket refused the authorization request for client id ${pending.clientId} and redirect URI ${pending.redirectUri}` +
        (detail === '' ? ` (HTTP ${response.status}).` : ` (${detail}).`),
      {
        data: {
          status: response.status,
          redirectUri: pending.redirectUri,
          clientId: pending.clientId,
        },
        hint: `In Bitbucket > Administration > Application links, check that the incoming link has client id ${pending.clientId} and lists this redirect URI exactly: ${pending.redirectUri}`,
      },
    );
  }
}

function queryOf(location: string): URLSearchParams | undefined {
  try {
    return new URL(location).searchParams;
  } catch {
    // Not a URL we can read; the browser flow will report whatever happens.
    return undefined;
  }
}
