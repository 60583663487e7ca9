/** The OS-level URL scheme the OAuth callback arrives on (RFC 8252 §7.1 private-use scheme). */
export const OAUTH_SCHEME = 'io.ankra.bdc-companion';
export const OAUTH_CALLBACK_PATH = '/oauth/callback';
export const OAUTH_REDIRECT_URI = `${OAUTH_SCHEME}:${OAUTH_CALLBACK_PATH}`;

const MAX_DEEP_LINK = 4096;

/**
 * The callback URL in a second instance's argv (Windows, Linux) or the cold-start argv. Electron
 * documents that argv order may change, so it is searched for, not taken from the end.
 */
export function findDeepLink(argv: readonly string[]): string | undefined {
  return argv.find(
    (arg) => arg.length <= MAX_DEEP_LINK && arg.toLowerCase().startsWith(`${OAUTH_SCHEME}:`),
  );
}

export type OAuthCallback =
  | { readonly kind: 'code'; readonly code: string; readonly state: string; readonly url: string }
  | {
      readonly kind: 'error';
      readonly error: string;
      readonly state: string | undefined;
      readonly url: string;
    };

/**
 * Parses an OAuth callback deep link. Scheme, (empty) host and path must match exactly; anything
 * else — another path, a host smuggled in with `//`, credentials, a missing state — is ignored.
 * State checking against the pending flow is the OAuth flow's job.
 */
export function parseOAuthCallback(link: string): OAuthCallback | undefined {
  if (link.length > MAX_DEEP_LINK) return undefined;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${OAUTH_SCHEME}:`) return undefined;
  if (url.host !== '' || url.username || url.password) return undefined;
  if (url.pathname !== OAUTH_CALLBACK_PATH) return undefined;
  const state = url.searchParams.get('state') ?? undefined;
  const error = url.searchParams.get('error');
  if (error) return { kind: 'error', error, state, url: link };
  const code = url.searchParams.get('code');
  if (!code || !state) return undefined;
  return { kind: 'code', code, state, url: link };
}
