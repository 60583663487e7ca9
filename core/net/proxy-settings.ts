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
