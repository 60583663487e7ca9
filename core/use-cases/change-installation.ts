import type { Installation } from '../../common/models/installation.js';
import type { Logger } from '../logging/logger.js';
import type { InstallationChanges } from '../settings/installation-changes.js';
import { updateInstallation } from '../settings/update-installation.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';

export interface ChangeInstallationPorts {
  readonly settings: SettingsStore;
  readonly env: Environment;
  readonly now: () => Date;
  readonly logger: Logger;
}

export interface ChangeInstallationInput {
  /** Name or id. */
  readonly installation: string;
  readonly changes: InstallationChanges;
  /** Save new trust without probing (the instance is down for maintenance). */
  readonly skipProbe?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Told before the probe of new trust runs. */
  readonly onProbe?: ((url: string) => void) | undefined;
}

/**
 * Changes an installation's trust, platform link or relay settings (`installation update`, the
 * installations view): new trust is probed before it is saved.
 */
export async function changeInstallation(
  ports: ChangeInstallationPorts,
  input: ChangeInstallationInput,
): Promise<Installation> {
  const next = await updateInstallation(ports.settings, input.installation, input.changes, {
    now: ports.now(),
    env: ports.env,
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    ...(input.skipProbe === undefined ? {} : { skipProbe: input.skipProbe }),
    ...(input.onProbe === undefined ? {} : { onProbe: input.onProbe }),
  });
  ports.logger.info('installation updated', {
    installation: next.name,
    changed: Object.keys(input.changes),
  });
  return next;
}
