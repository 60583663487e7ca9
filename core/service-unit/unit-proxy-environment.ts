import type { ProxySettings } from '../net/proxy-settings.js';

/** The proxy variables a service unit may carry, and the ones it must leave out. */
export interface UnitProxyEnvironment {
  /** Variables safe to write into a world-readable unit file, in the order they are written. */
  readonly written: readonly [name: string, value: string][];
  /** True when a proxy URL carries credentials and was left out; the unit says where it goes. */
  readonly leftOut: boolean;
}

/**
 * Splits the proxy settings for a systemd unit or a launchd plist. Both files are world-readable,
 * so a proxy URL with a user or password never goes into them; NO_PROXY holds no credentials.
 */
export function unitProxyEnvironment(proxy: ProxySettings): UnitProxyEnvironment {
  const written: [string, string][] = [];
  let leftOut = false;
  for (const [name, value] of [
    ['HTTPS_PROXY', proxy.httpsProxy],
    ['HTTP_PROXY', proxy.httpProxy],
    ['NO_PROXY', proxy.noProxy],
  ] as const) {
    if (value === '') continue;
    if (name !== 'NO_PROXY' && hasCredentials(value)) leftOut = true;
    else written.push([name, value]);
  }
  return { written, leftOut };
}

function hasCredentials(proxyUrl: string): boolean {
  try {
    const url = new URL(proxyUrl);
    return url.username !== '' || url.password !== '';
  } catch {
    // An unparsable proxy may still carry `user:pass@`; keep it out of the unit to be safe.
    return proxyUrl.includes('@');
  }
}
