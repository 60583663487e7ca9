import type { NetworkRouting } from './network-routing.js';

let active: NetworkRouting | undefined;

/**
 * The routing of this process, installed once by its composition root (Electron main, `serve`,
 * each CLI run) and read by the one network factory for every connection it builds — REST, git
 * over HTTP, the git CLI's `http.proxy`, relay forwarding, the bridge WebSocket, the probe. Held
 * here rather than threaded through every use case so that no path can be built without it: a
 * connection made anywhere in the process takes the route the Network section shows.
 * Without one (unit tests, the simulator) the proxy variables decide, as they always did.
 */
export function installNetworkRouting(routing: NetworkRouting | undefined): void {
  active = routing;
}

export function activeNetworkRouting(): NetworkRouting | undefined {
  return active;
}
