import { bypassesProxy } from './no-proxy.js';
import type { ProxyChoice } from './network-options.js';

export interface ProxySettings {
  /** Empty string: no proxy for that scheme. */
  readonly httpsProxy: string;
  readonly httpProxy: string;
  readonly noProxy: string;
}

/**
 * Reads the conventional proxy variables. Lower case wins over upper case, as in curl and undici;
 * HTTPS traffic falls back to HTTP_PROXY when no HTTPS proxy is set, as undici does.
 */
export function resolveProxySettings(
  env: Readonly<Record<string, string | undefined>>,
): ProxySettings {
  const pick = (name: string): string => (env[name.toLowerCase()] ?? env[name] ?? '').trim();
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY') || httpProxy;
  return { httpsProxy, httpProxy, noProxy: pick('NO_PROXY') };
}

/**
 * The proxy URL a request to `target` goes through under the variables, or undefined for a direct
 * connection. NO_PROXY follows the one rule of `no-proxy.ts`, which every path uses.
 */
export function proxyFor(target: URL, settings: ProxySettings): string | undefined {
  const proxy =
    target.protocol === 'https:' || target.protocol === 'wss:'
      ? settings.httpsProxy
      : settings.httpProxy;
  if (proxy === '') return undefined;
  return bypassesProxy(target, settings.noProxy) ? undefined : proxy;
}

/**
 * Reads a PAC answer as Electron's `session.resolveProxy` gives it (`"PROXY host:port; DIRECT"`)
 * and takes the first entry the companion can use. SOCKS entries are skipped (undici 7 speaks
 * them, the git CLI and the probe's tunnel do not, and one path must not differ from the others).
 * Undefined when nothing usable is listed, so the caller can fall back to the variables.
 */
export function proxyFromPacResult(result: string): ProxyChoice | undefined {
  for (const raw of result.split(';')) {
    const [keyword, address] = raw.trim().split(/\s+/, 2);
    const kind = (keyword ?? '').toUpperCase();
    if (kind === 'DIRECT') return { kind: 'direct' };
    if (
      (kind === 'PROXY' || kind === 'HTTPS') &&
      address !== undefined &&
      /^[^\s/]+:\d{1,5}$/.test(address)
    ) {
      return { kind: 'proxy', url: `${kind === 'HTTPS' ? 'https' : 'http'}://${address}` };
    }
  }
  return undefined;
}
