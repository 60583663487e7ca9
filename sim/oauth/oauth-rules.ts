import { createHash } from 'node:crypto';

/**
 * The pure rules of BDC's OAuth 2.0 provider (docs/bdc-api-facts.md §3), kept apart from the HTTP handling
 * so each rule is tested on its own.
 */

/** Scope ids BDC knows, in hierarchy order (docs/bdc-api-facts.md §3.6). */
export const OAUTH_SCOPES = [
  'PUBLIC_REPOS',
  'ACCOUNT_WRITE',
  'REPO_READ',
  'REPO_WRITE',
  'REPO_ADMIN',
  'PROJECT_ADMIN',
  'ADMIN_WRITE',
  'SYSTEM_ADMIN',
] as const;

export type OAuthScope = (typeof OAUTH_SCOPES)[number];

const SCOPE_LABELS: Readonly<Record<OAuthScope, string>> = {
  PUBLIC_REPOS: 'View public projects and repositories',
  ACCOUNT_WRITE: 'Account: Write',
  REPO_READ: 'Repositories: Read (clone, fork, create and comment on pull requests)',
  REPO_WRITE: 'Repositories: Write (push, merge pull requests)',
  REPO_ADMIN: 'Repositories: Admin (repository settings, webhooks)',
  PROJECT_ADMIN: 'Projects: Admin (create repositories, project settings)',
  ADMIN_WRITE: 'Admin: Write (administer Bitbucket)',
  SYSTEM_ADMIN: 'System admin',
};

export function scopeLabel(scope: OAuthScope): string {
  return SCOPE_LABELS[scope];
}

export function isOAuthScope(value: string): value is OAuthScope {
  return (OAUTH_SCOPES as readonly string[]).includes(value);
}

export type ScopeCheck =
  | { readonly ok: true; readonly scopes: readonly OAuthScope[] }
  | { readonly ok: false; readonly description: string };

/**
 * Bitbucket's repository ladder, lowest first: an Application Link's permission is one level of
 * it (the link form offers one choice per group), and every level includes the ones below it
 * (docs/bdc-api-facts.md §3.6, "Scopes are hierarchical"). `ACCOUNT_WRITE` is a group of its own.
 */
const SCOPE_LADDER: readonly OAuthScope[] = [
  'PUBLIC_REPOS',
  'REPO_READ',
  'REPO_WRITE',
  'REPO_ADMIN',
  'PROJECT_ADMIN',
  'ADMIN_WRITE',
  'SYSTEM_ADMIN',
];

/**
 * The scopes a client may request when its Application Link allows `maximum`: each chosen scope
 * and every scope below it on the ladder. A link set to Repositories: Write thus accepts the
 * `PUBLIC_REPOS REPO_READ REPO_WRITE` that BDC's own clients request, and refuses `REPO_ADMIN`.
 */
export function scopesWithin(maximum: readonly string[]): OAuthScope[] {
  const allowed = new Set<OAuthScope>();
  for (const scope of maximum) {
    if (!isOAuthScope(scope)) continue;
    allowed.add(scope);
    const rung = SCOPE_LADDER.indexOf(scope);
    for (const below of SCOPE_LADDER.slice(0, Math.max(rung, 0))) allowed.add(below);
  }
  return OAUTH_SCOPES.filter((scope) => allowed.has(scope));
}

/** Space-separated scope ids; unknown ids and ids above the client's maximum are refused. */
export function parseScopes(raw: string, allowed: readonly OAuthScope[]): ScopeCheck {
  const requested = raw.split(' ').filter((part) => part !== '');
  if (requested.length === 0) return { ok: false, description: 'No scope was requested.' };
  const scopes: OAuthScope[] = [];
  for (const scope of requested) {
    if (!isOAuthScope(scope)) return { ok: false, description: `Invalid scope: ${scope}` };
    if (!allowed.includes(scope)) {
      return { ok: false, description: `Scope ${scope} exceeds the scope allowed for this client` };
    }
    if (!scopes.includes(scope)) scopes.push(scope);
  }
  return { ok: true, scopes };
}

/**
 * What BDC accepts as a redirect URI when an admin registers it: absolute, no fragment, at most
 * 450 characters, and https — except plain http to the literal host `localhost`. Private-use
 * schemes (`io.ankra.bdc-companion:/oauth/callback`) pass; `http://127.0.0.1` does not.
 * Returns the reason it is refused, or undefined.
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > 450) return 'The redirect URI is longer than 450 characters.';
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return 'The redirect URI is not an absolute URI.';
  }
  if (uri.includes('#')) return 'The redirect URI must not contain a fragment.';
  if (parsed.protocol === 'http:' && parsed.hostname !== 'localhost') {
    return 'The redirect URI must use HTTPS (plain http is allowed only for localhost).';
  }
  return undefined;
}

/** BDC's PKCE alphabet and length for verifiers and challenges. */
const PKCE_PATTERN = /^[0-9a-zA-Z~\-._]{43,128}$/;

export type PkceMethod = 'S256' | 'plain';

/** `code_challenge_method` as sent; BDC defaults to `plain` when it is omitted. */
export function parsePkceMethod(raw: string | undefined): PkceMethod | undefined {
  if (raw === undefined || raw === '') return 'plain';
  // python-social-auth sends lower-case `s256` successfully, so the enum is read case-insensitively.
  const upper = raw.toUpperCase();
  if (upper === 'S256') return 'S256';
  if (upper === 'PLAIN') return 'plain';
  return undefined;
}

export function isPkceValue(value: string): boolean {
  return PKCE_PATTERN.test(value);
}

export function pkceChallengeOf(verifier: string, method: PkceMethod): string {
  return method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
}

/** True when the verifier is well formed and hashes (or equals) to the stored challenge. */
export function pkceMatches(verifier: string, challenge: string, method: PkceMethod): boolean {
  return isPkceValue(verifier) && pkceChallengeOf(verifier, method) === challenge;
}
