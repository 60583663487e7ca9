import type { InstallationRef, InstallationUpdate } from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import { changeInstallation } from '../use-cases/change-installation.js';
import { removeInstallation } from '../use-cases/remove-installation.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/**
 * Listing, editing and removing installations. Adding one lives with the probe (it probes first).
 */
export function installationHandlers(ports: ServicePorts): OperationHandlers {
  const { settings, secretStore, events } = ports;
  return {
    async listInstallations() {
      return settings.listInstallations();
    },
    async updateInstallation(request: InstallationUpdate): Promise<Installation> {
      const { installation, ...changes } = request;
      const { installation: next } = await changeInstallation(
        { settings, env: ports.env, now: ports.now, logger: ports.logger },
        { installation, changes },
      );
      events.emit({ kind: 'installations-changed' });
      return next;
    },
    async removeInstallation(request: InstallationRef): Promise<void> {
      await removeInstallation(
        { settings, secretStore, logger: ports.logger },
        { installation: request.installation },
      );
      events.emit({ kind: 'installations-changed' });
    },
  };
}
