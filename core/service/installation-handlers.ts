import type { InstallationRef, InstallationUpdate } from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import { removeInstallationWithSecrets } from '../settings/remove-installation.js';
import { normaliseBaseUrl } from '../settings/new-installation.js';
import { formatListenAddress, parseListenAddress } from '../relay/listen-address.js';
import { validateCaSet } from '../trust/validate-ca-set.js';
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
      // Replaced CAs meet the same checks as when the installation was added: only real CA
      // certificates reach the trust store, whichever way they come in.
      const caPems =
        request.caPems === undefined
          ? current.caPems
          : [
              ...(validateCaSet(request.caPems, ports.now(), current.allowPartialChain)?.pems ??
                []),
            ];
      const platformCaPems =
        request.platform?.caPems === undefined
          ? (current.platform?.caPems ?? [])
          : [...(validateCaSet(request.platform.caPems, ports.now())?.pems ?? [])];
      const next: Installation = {
        ...current,
        caPems,
        platform: request.platform
          ? {
              baseUrl: normaliseBaseUrl(request.platform.baseUrl, 'platform URL'),
              installationId: request.platform.installationId,
              caPems: platformCaPems,
            }
          : current.platform,
        relay: request.relay
          ? {
              ...current.relay,
              ...(request.relay.enabled === undefined ? {} : { enabled: request.relay.enabled }),
              ...(request.relay.listen === undefined
                ? {}
                : { listen: formatListenAddress(parseListenAddress(request.relay.listen)) }),
              ...(request.relay.publicUrl === undefined
                ? {}
                : { publicUrl: normaliseBaseUrl(request.relay.publicUrl, 'relay URL', true) }),
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
