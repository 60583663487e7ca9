import type { ProxyChoice } from './network-options.js';
import { proxyFromPacResult } from './proxy-settings.js';

/**
 * Decides how a request to one URL leaves the machine, the way the operating system would
 * (PAC/WPAD, system proxy settings). Undefined means "no decision": the proxy variables
 * (HTTPS_PROXY, NO_PROXY) apply, as they do headless.
 */
export type ProxyResolver = (url: string) => Promise<ProxyChoice | undefined>;

/**
 * A resolver over a PAC-evaluating function — on the desktop Electron's
 * `session.resolveProxy`, which answers `"PROXY host:port; DIRECT"` from the system's own
 * settings. A resolver that fails or names nothing usable leaves the decision to the variables
 * instead of failing the request.
 */
export function pacProxyResolver(resolvePac: (url: string) => Promise<string>): ProxyResolver {
  return async (url) => {
    try {
      return proxyFromPacResult(await resolvePac(url));
    } catch {
      return undefined;
    }
  };
}
