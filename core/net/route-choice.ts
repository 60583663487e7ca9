import { activeNetworkRouting } from './active-routing.js';
import type { NetworkOptions, ProxyChoice } from './network-options.js';

/**
 * The proxy decision for one URL, for the paths that open their own connections instead of going
 * through the undici dispatcher (the git CLI's `http.proxy`, the bridge's WebSocket tunnel, the
 * probe's handshakes): the caller's explicit choice, else the process routing. Undefined only when
 * no routing is installed, where the proxy variables decide as before.
 */
export async function routeChoice(
  url: string,
  network: Pick<NetworkOptions, 'proxy' | 'routing'>,
): Promise<ProxyChoice | undefined> {
  if (network.proxy !== undefined) return network.proxy;
  const routing = network.routing ?? activeNetworkRouting();
  return routing === undefined ? undefined : (await routing.route(url)).choice;
}
