/**
 * The redirect URIs of the companion. BDC matches redirect URIs by exact string (no RFC 8252
 * any-port loopback rule) and refuses `http://127.0.0.1`, so the loopback URI uses the host name
 * `localhost` and a fixed port, and the admin registers each URI in the Application Link verbatim.
 */
import { oauthScopes } from '../../../common/auth/permission-needs.js';

/** The private-use scheme the desktop app registers with the OS (RFC 8252 §7.1). */
export const OAUTH_CUSTOM_SCHEME = 'io.ankra.bdc-companion';
export const CUSTOM_REDIRECT_URI = `${OAUTH_CUSTOM_SCHEME}:/oauth/callback`;

/** The fixed loopback port; `--port` overrides it (and the admin registers that URI too). */
export const DEFAULT_OAUTH_PORT = 47615;
export const LOOPBACK_CALLBACK_PATH = '/oauth/callback';

export type RedirectMode = 'custom' | 'localhost';

export function loopbackRedirectUri(port: number): string {
  return `http://localhost:${port}${LOOPBACK_CALLBACK_PATH}`;
}

export function redirectUriFor(mode: RedirectMode, port: number = DEFAULT_OAUTH_PORT): string {
  switch (mode) {
    case 'custom':
      return CUSTOM_REDIRECT_URI;
    case 'localhost':
      return loopbackRedirectUri(port);
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}

/** What the admin enters in the Application Link's redirect URL list: both, one per line. */
export function redirectUrisToRegister(port: number = DEFAULT_OAUTH_PORT): readonly string[] {
  return [CUSTOM_REDIRECT_URI, loopbackRedirectUri(port)];
}

/**
 * The scopes requested by default: the least that pushing needs (REPO_WRITE). Registering
 * webhooks needs REPO_ADMIN, requested only when asked for (docs/bdc-admin-setup.md; the table
 * is common/auth/permission-needs.ts). Listed explicitly, as BDC clients do.
 */
export const DEFAULT_OAUTH_SCOPES: readonly string[] = oauthScopes(false);
