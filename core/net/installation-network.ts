import type { Installation } from '../../common/models/installation.js';
import type { NetworkOptions } from './network-options.js';

/**
 * The one place an installation's settings become NetworkOptions for traffic to its BDC
 * (REST, OAuth, git over HTTP, webhooks, the probe of a saved installation): its CAs, the
 * instance address policy, its loopback and partial-chain choices. Callers add per-call extras
 * (env, timeouts) with a spread; they never rebuild these fields themselves.
 */
export function installationNetworkOptions(
  installation: Pick<Installation, 'caPems' | 'allowLoopback' | 'allowPartialChain'>,
): Omit<NetworkOptions, 'env'> {
  return {
    caPems: installation.caPems,
    addressPolicy: 'instance',
    allowLoopback: installation.allowLoopback,
    ...(installation.allowPartialChain === true ? { allowPartialChain: true } : {}),
  };
}
