import type { InstallationRef, InstallationUpdate } from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import { removeInstallationWithSecrets } from '../settings/remove-installation.js';
import { updateInstallation } from '../settings/update-installation.js';
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
      const next = await updateInstallation(settings, installation, changes, {
        now: ports.now(),
        env: ports.env,
      });
      events.emit({ kind: 'installations-changed' });
      return next;
    },
    async removeInstallation(request: InstallationRef): Promise<void> {
      await removeInstallationWithSecrets(settings, secretStore, request.installation);
      events.emit({ kind: 'installations-changed' });
    },
  };
}
