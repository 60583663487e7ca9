import { storeBridgeToken as storeToken } from '../bridge/bridge-settings.js';
import type { Logger } from '../logging/logger.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

/**
 * Stores the token the platform issued for an installation's bridge (`installation update
 * --bridge-token-stdin`); a running bridge picks it up within seconds.
 */
export async function storeBridgeToken(
  ports: {
    readonly settings: SettingsStore;
    readonly secretStore: SecretStorePort;
    readonly logger: Logger;
  },
  input: { readonly installation: string; readonly token: string },
): Promise<void> {
  const installation = ports.settings.requireInstallation(input.installation);
  await storeToken(await secretStoreOf(ports.secretStore), installation, input.token);
  ports.logger.info('bridge token stored', { installation: installation.name });
}
