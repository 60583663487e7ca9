import type { Command } from '../command.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { showHomeNetwork } from '../../core/use-cases/network-settings.js';
import { networkText } from './network-support.js';

/**
 * `network show`: the proxy setting, the proxy variables, and the route each installation's
 * connections take (BDC, the platform bridge, the relay target) — what the Network section shows.
 */
export const networkShowCommand: Command = {
  path: ['network', 'show'],
  summary: 'show the proxy setting and the route each connection takes (direct, proxy, PAC)',
  maxPositionals: 0,
  async run(context) {
    const ports = openLocalPorts(context.home, context.io.env);
    try {
      const network = await showHomeNetwork(ports);
      context.output.success({ network }, () => networkText(network));
    } finally {
      ports.close();
    }
  },
};
