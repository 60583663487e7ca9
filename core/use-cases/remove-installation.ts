import type { Logger } from '../logging/logger.js';
import {
  removeInstallationWithSecrets,
  type InstallationRemoval,
} from '../settings/remove-installation.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

export interface RemoveInstallationPorts {
  readonly settings: SettingsStore;
  readonly secretStore: SecretStorePort;
  readonly logger: Logger;
}

/**
 * Removes an installation, its secrets first (`installation remove`, the installations view).
 * An unknown name fails before the keychain is asked anything; `keepSecrets` removes the settings
 * only, for a keychain that cannot be reached.
 */
export async function removeInstallation(
  ports: RemoveInstallationPorts,
  input: { readonly installation: string; readonly keepSecrets?: boolean | undefined },
): Promise<InstallationRemoval> {
  const target = ports.settings.requireInstallation(input.installation);
  const removal = await removeInstallationWithSecrets(
    ports.settings,
    input.keepSecrets === true ? undefined : await secretStoreOf(ports.secretStore),
    target.id,
  );
  ports.logger.info('installation removed', {
    installation: removal.installation.name,
    secretsDeleted: removal.deleted,
    secretsKept: removal.kept,
  });
  return removal;
}
