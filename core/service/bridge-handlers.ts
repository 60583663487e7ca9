import type { Database } from 'better-sqlite3';
import type { BridgeOverview } from '../../common/api/models.js';
import { bridgeLiveness } from '../bridge/bridge-heartbeat.js';
import { editBridgePolicy, effectivePolicy, storeBridgeToken } from '../bridge/bridge-settings.js';
import { bridgeTokenKey } from '../bridge/installation-bridge.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/**
 * The Bridge view's operations. The bridge itself runs in the daemon (`run`, `bridge run`); the
 * view reads the liveness record it keeps in the shared database, and edits the same policy and
 * token the CLI does (`core/bridge/bridge-settings.ts`).
 */
export function bridgeHandlers(ports: ServicePorts, database: Database): OperationHandlers {
  const { settings, secretStore } = ports;
  return {
    async getBridgeStatus(request) {
      const installation = settings.requireInstallation(request.installation);
      const liveness = bridgeLiveness(database, installation.id, ports.now().getTime());
      const run = liveness.running[0] ?? liveness.lastRun;
      const overview: BridgeOverview = {
        running: liveness.running.length > 0,
        status: run?.status.state === undefined ? undefined : run.status,
        lastBeatAt: run?.lastBeatAt,
        tokenConfigured: (await secretStore.get(bridgeTokenKey(installation.id))) !== undefined,
        policy: effectivePolicy(installation.bridge),
      };
      return overview;
    },
    async updateBridgePolicy(request) {
      return editBridgePolicy(settings, request.installation, {
        allowPush: request.allowPush ?? [],
        denyPush: request.denyPush ?? [],
        readProjects: request.readProjects ?? [],
        clearReadProjects: request.allProjects === true,
      });
    },
    async setBridgeToken(request) {
      const installation = settings.requireInstallation(request.installation);
      await storeBridgeToken(secretStore, installation, request.token);
    },
  };
}
