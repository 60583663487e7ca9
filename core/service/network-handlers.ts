import type { NetworkUpdate } from '../../common/models/network.js';
import { changeNetwork, showNetwork } from '../use-cases/network-settings.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/** The Network section: the same use cases as `network show` and `network set`. */
export function networkHandlers(ports: ServicePorts): OperationHandlers {
  const show = () =>
    showNetwork({
      settings: ports.settings,
      routing: ports.routing,
      env: ports.env,
      systemProxy: ports.systemProxy,
    });
  return {
    async getNetwork() {
      return show();
    },
    async updateNetwork(request: NetworkUpdate) {
      await changeNetwork({
        settings: ports.settings,
        secretStore: async () => ports.secretStore,
        update: request,
      });
      ports.logger.info('network setting changed', { proxy: request.proxy.kind });
      return show();
    },
  };
}
