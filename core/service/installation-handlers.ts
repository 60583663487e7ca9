import type { InstallationRef, InstallationUpdate } from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import { removeInstallationWithSecrets } from '../settings/remove-installation.js';
import { normaliseBaseUrl } from '../settings/new-installation.js';
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
      const current = settings.requireInstallation(request.installation);
      const next: Installation = {
        ...current,
        caPems: request.caPems ? [...request.caPems] : current.caPems,
        platform: request.platform
          ? {
              baseUrl: normaliseBaseUrl(request.platform.baseUrl, 'platform URL'),
              installationId: request.platform.installationId,
              caPems: [...(request.platform.caPems ?? current.platform?.caPems ?? [])],
            }
          : current.platform,
        relay: request.relay
          ? {
              ...current.relay,
              ...(request.relay.enabled === undefined ? {} : { enabled: request.relay.enabled }),
              ...(request.relay.listen === undefined ? {} : { listen: request.relay.listen }),
              ...(request.relay.publicUrl === undefined
                ? {}
                : { publicUrl: request.relay.publicUrl.replace(/\/+$/, '') }),
            }
          : current.relay,
      };
      settings.saveInstallation(next);
      events.emit({ kind: 'installations-changed' });
      return next;
    },
    async removeInstallation(request: InstallationRef): Promise<void> {
      await removeInstallationWithSecrets(settings, secretStore, request.installation);
      events.emit({ kind: 'installations-changed' });
    },
  };
}
