/** Where the page keeps `serve`'s access token: this tab's storage, scoped by origin and port. */
const STORAGE_KEY = 'bdc-companion-serve-token';

export interface TokenScope {
  readonly location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  readonly history: Pick<History, 'replaceState'>;
  readonly sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * `serve`'s access token, from the URL the admin opened (`/#token=…`). The fragment is never sent
 * to a server or logged; it is moved into this tab's sessionStorage — which, unlike a cookie, is
 * scoped by port, so no page of another local server can read it — and removed from the address
 * bar and its history entry. A reload of the tab finds it there. See docs/security.md.
 */
export function takeServeToken(scope: TokenScope): string | undefined {
  const fragment = new URLSearchParams(scope.location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    scope.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    scope.history.replaceState(null, '', `${scope.location.pathname}${scope.location.search}`);
    return fromUrl;
  }
  return scope.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}
