import * as oauth from 'oauth4webapi';
import { applicationLinkNeedFor } from '../../../common/auth/permission-needs.js';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { serverText } from './oauth-errors.js';

/**
 * One authorization in progress: PKCE S256 verifier, state, and the exact redirect URI. It lives
 * in memory only (never on disk) and answers exactly one callback.
 */
export interface PendingAuthorization {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly codeVerifier: string;
  readonly authorizationUrl: string;
  /** What was requested, so a refusal can name the permission the Application Link lacks. */
  readonly scopes: readonly string[];
  readonly createdAt: number;
}

export interface BeginAuthorizationInput {
  /** Installation base URL with its context path, no trailing slash. */
  readonly baseUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly now: number;
}

export function authorizeEndpoint(baseUrl: string): string {
  return `${baseUrl}/rest/oauth2/latest/authorize`;
}

export function tokenEndpoint(baseUrl: string): string {
  return `${baseUrl}/rest/oauth2/latest/token`;
}

export async function beginAuthorization(
  input: BeginAuthorizationInput,
): Promise<PendingAuthorization> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(authorizeEndpoint(input.baseUrl));
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', input.scopes.join(' '));
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  // Always explicit: BDC falls back to `plain` when the method is omitted.
  url.searchParams.set('code_challenge_method', 'S256');
  return {
    clientId: input.clientId,
    redirectUri: input.redirectUri,
    state,
    codeVerifier,
    authorizationUrl: url.toString(),
    scopes: [...input.scopes],
    createdAt: input.now,
  };
}

/**
 * Checks a callback URL against the pending authorization and returns its parameters. Refuses a
 * URL that is not the redirect URI, a state that is not ours, and turns OAuth errors sent back by
 * Bitbucket into catalogued errors. Pasted text is accepted with surrounding blanks or quotes.
 */
export function readCallback(pending: PendingAuthorization, callback: string): URLSearchParams {
  const url = callbackUrl(pending, callback);
  if (url === undefined) {
    throw new CompanionError(
      'OAUTH_CALLBACK_INVALID',
      `The callback is not the redirect URI of this sign-in (${pending.redirectUri}).`,
    );
  }
  const params = url.searchParams;
  if (params.get('state') !== pending.state) {
    throw new CompanionError(
      'OAUTH_STATE_MISMATCH',
      'The callback carries a state that does not belong to the sign-in in progress; it was refused.',
    );
  }
  const error = params.get('error');
  if (error !== null) {
    throw authorizationError(error, params.get('error_description') ?? undefined, pending.scopes);
  }
  if (!params.get('code')) {
    throw new CompanionError(
      'OAUTH_CALLBACK_INVALID',
      'The callback carries no authorization code.',
    );
  }
  return params;
}

/**
 * True when `callback` is this sign-in's redirect URI carrying its state. Anyone who can reach the
 * loopback port, or make the OS open the custom scheme, can send a callback; only one that carries
 * the state (which only Bitbucket and this process know) may complete or fail the sign-in. The
 * others are answered and otherwise ignored (docs/security.md, "OAuth callback").
 */
export function callbackBelongs(pending: PendingAuthorization, callback: string): boolean {
  return callbackUrl(pending, callback)?.searchParams.get('state') === pending.state;
}

function callbackUrl(pending: PendingAuthorization, callback: string): URL | undefined {
  const text = callback.trim().replace(/^["'<]+|["'>]+$/g, '');
  const base = text.split(/[?#]/, 1)[0];
  if (base !== pending.redirectUri) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

export function authorizationError(
  error: string,
  description: string | undefined,
  requestedScopes: readonly string[] = [],
): CompanionError {
  const detail = serverText(description);
  const what = detail === '' ? serverText(error, 60) : `${serverText(error, 60)}: ${detail}`;
  if (error === 'access_denied') {
    return new CompanionError(
      'OAUTH_ACCESS_DENIED',
      `The sign-in was declined in Bitbucket (${what}).`,
    );
  }
  if (error === 'invalid_scope') {
    // Bitbucket's description need not say which scope is too high; what was asked for does: the
    // link's permission must reach the highest requested scope (docs/bdc-api-facts.md §3.6).
    const need = applicationLinkNeedFor(requestedScopes);
    return new CompanionError(
      'OAUTH_SCOPE_REJECTED',
      need === undefined
        ? `Bitbucket refused the requested scopes (${what}).`
        : `Bitbucket refused the requested scopes (${what}): the Application Link's permission must be at least ${need.applicationLink}, needed to ${need.feature}.`,
      need === undefined ? {} : { data: { scope: need.scope } },
    );
  }
  return new CompanionError(
    'OAUTH_AUTHORIZATION_FAILED',
    `Bitbucket returned an OAuth error instead of a code (${what}).`,
    { data: { error: serverText(error, 60) } },
  );
}
