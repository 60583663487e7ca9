import type { OAuthProvider } from '../oauth-port.js';
import type { Principal, SimState } from '../state/sim-state.js';

/**
 * How BDC treats a credential (docs/bdc-api-facts.md §2.2, §2.5):
 * - access tokens are honoured only on paths under `/rest` and `/scm`; elsewhere a Bearer PAT is
 *   answered with 302 to the login page and a Basic user:token with 401;
 * - an unknown Bearer token is served as anonymous (no 401 by itself);
 * - Basic works for user tokens only (project/repository tokens need Bearer); a wrong password
 *   fails with 401 IncorrectPasswordAuthenticationException even on anonymous endpoints;
 * - OAuth 2.0 access tokens (incoming Application Link) are Bearer tokens too.
 */
export type AuthOutcome =
  | { readonly kind: 'principal'; readonly principal: Principal }
  | { readonly kind: 'login-redirect' }
  | { readonly kind: 'bad-credentials' };

export function isTokenPath(path: string): boolean {
  return /^\/(rest|scm)(\/|$)/.test(path);
}

export function authenticate(
  authorization: string | undefined,
  path: string,
  state: SimState,
  oauth: OAuthProvider | undefined,
  now: number = Date.now(),
): AuthOutcome {
  const anonymous: AuthOutcome = { kind: 'principal', principal: state.anonymous() };
  if (authorization === undefined || authorization.trim() === '') return anonymous;
  const space = authorization.indexOf(' ');
  const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : authorization.slice(space + 1).trim();
  const tokenPath = isTokenPath(path);

  if (scheme === 'bearer') {
    // Expired and revoked tokens are unknown tokens: anonymous (docs/bdc-api-facts.md §2.5, §10).
    const pat = state.liveToken(value, now);
    if (pat) {
      if (!tokenPath) return { kind: 'login-redirect' };
      return { kind: 'principal', principal: state.tokenPrincipal(pat) };
    }
    const identity = oauth?.authenticateBearer(value);
    if (identity) {
      const principal = state.oauthPrincipal(identity.user, identity.scopes);
      if (principal) return { kind: 'principal', principal };
    }
    return anonymous;
  }

  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { kind: 'bad-credentials' };
    const userName = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const token = state.liveToken(secret, now);
    // `x-token-auth` is the placeholder user of Atlassian's KB for tokens of any kind.
    const acceptable =
      token !== undefined &&
      ((token.kind === 'user' && token.user === userName) || userName === 'x-token-auth');
    if (!acceptable || !token) return { kind: 'bad-credentials' };
    if (!tokenPath) return { kind: 'bad-credentials' };
    return { kind: 'principal', principal: state.tokenPrincipal(token) };
  }
  return anonymous;
}
