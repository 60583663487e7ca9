/** An https URL without user info, or undefined: the only kind main ever hands to the OS. */
function parseHttpsUrl(target: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' && !url.username && !url.password ? url : undefined;
}

/** Whether `url` is on an installation's origin and under `<context path>/<subPath>`. */
function isUnderInstallation(
  url: URL,
  installationBaseUrls: readonly string[],
  subPath: string,
): boolean {
  return installationBaseUrls.some((base) => {
    try {
      const installation = new URL(base);
      const prefix = `${installation.pathname.replace(/\/+$/, '')}/${subPath}`;
      return installation.origin === url.origin && url.pathname.startsWith(prefix);
    } catch {
      return false;
    }
  });
}

/**
 * `shell.openExternal` hands a URL to the OS, which may launch any registered handler, so main
 * opens only what it built itself: the OAuth authorize URL, https, on the origin of an
 * installation the admin configured. Strings from the renderer never reach it.
 */
export function isOpenableAuthorizeUrl(
  target: string,
  installationBaseUrls: readonly string[],
): boolean {
  const url = parseHttpsUrl(target);
  if (!url || !url.pathname.endsWith('/rest/oauth2/latest/authorize')) return false;
  return isUnderInstallation(url, installationBaseUrls, 'rest/');
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
  const url = parseHttpsUrl(target);
  return url !== undefined && isUnderInstallation(url, installationBaseUrls, '');
}
