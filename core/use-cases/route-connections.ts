import { activeNetworkRouting, installNetworkRouting } from '../net/active-routing.js';
import { homeNetworkRouting } from '../net/open-network-routing.js';
import type { Environment } from './local-ports.js';

/**
 * Makes every connection of this process (a CLI run, the daemon) take the routes of the config
 * home's Network setting; returns the undo, for in-process runs that follow each other.
 */
export function routeConnectionsFromHome(home: string, env: Environment): () => void {
  const routing = homeNetworkRouting(home, env);
  installNetworkRouting(routing);
  return () => {
    if (activeNetworkRouting() === routing) installNetworkRouting(undefined);
  };
}
