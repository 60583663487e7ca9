/**
 * `shell.openExternal` hands a URL to the OS, which may launch any registered handler, so main
 * opens only what it built itself: the OAuth authorize URL, https, on the origin of an
 * installation the admin configured. Strings from the renderer never reach it.
 */
export function isOpenableAuthorizeUrl(
  target: string,
  installationBaseUrls: readonly string[],
): boolean {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  if (!url.pathname.endsWith('/rest/oauth2/latest/authorize')) return false;
  return installationBaseUrls.some((base) => {
    try {
      const installation = new URL(base);
      return (
        installation.origin === url.origin &&
        url.pathname.startsWith(`${installation.pathname.replace(/\/+$/, '')}/rest/`)
      );
    } catch {
      return false;
    }
  });
}

/**
 * A link the UI shows to a page of a configured instance (a commit in push history): https, on an
 * installation's origin and under its context path. These open in the system browser; any other
 * `window.open` or `target=_blank` is simply denied.
 */
export function isInstallationPageUrl(
  target: string,
  installationBaseUrls: readonly string[],
): boolean {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  return installationBaseUrls.some((base) => {
    try {
      const installation = new URL(base);
      const prefix = `${installation.pathname.replace(/\/+$/, '')}/`;
      return installation.origin === url.origin && url.pathname.startsWith(prefix);
    } catch {
      return false;
    }
  });
}
