import { isAppOrigin } from './app-protocol.js';

/**
 * The window may only ever show the bundle: every navigation elsewhere (a link, a redirect, a
 * compromised script setting `location`) is cancelled. Compared as parsed origins, not prefixes,
 * so `app://bundle.evil` or `app://bundle@evil` do not pass.
 */
export function isAllowedNavigation(target: string): boolean {
  try {
    const url = new URL(target);
    return isAppOrigin(url) && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
