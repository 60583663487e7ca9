import { bundleRelativePath, contentSecurityPolicy } from '../../core/serve/bundle-path.js';

/** The renderer's origin: the UI is served from `app://bundle/`, never from `file://`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'bundle';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Whether a URL is on the bundle's origin. Compared by scheme, host and port rather than
 * `URL.origin`, which Node reports as "null" for schemes it does not know (Chromium, with the
 * scheme registered as standard, reports `app://bundle`): the decision must be the same in both.
 */
export function isAppOrigin(url: URL): boolean {
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
}

/**
 * Maps an `app://` request to a file of the bundle, or undefined for anything else: another
 * host, a query trick, or a path that could leave the bundle folder.
 */
export function appRequestPath(requestUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (!isAppOrigin(url)) return undefined;
  if (url.username || url.password || url.port) return undefined;
  // `new URL` already resolved `..` segments; the raw text must not have tried to.
  const rawPath = requestUrl.slice(`${APP_ORIGIN}`.length).split(/[?#]/)[0] ?? '';
  if (/(^|\/)\.\.?(\/|$)|%2e/i.test(rawPath)) return undefined;
  return bundleRelativePath(url.pathname);
}

/** Headers of every `app://` response: the strict CSP and no sniffing. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': contentSecurityPolicy(),
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
  };
}

export { contentSecurityPolicy };
