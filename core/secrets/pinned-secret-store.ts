import {
  assertPinnedBackend,
  openSecretStore,
  type SecretStoreConfig,
} from './open-secret-store.js';
import type { SecretStore, SecretStoreBackend } from './secret-store.js';

/** Where the config home records its secret store (the settings file: `SettingsStore`). */
export interface SecretStorePin {
  pinnedSecretStore?(): SecretStoreBackend | undefined;
  pinSecretStore?(backend: SecretStoreBackend): void;
  findInstallation(nameOrId: string): { readonly name: string } | undefined;
}

/**
 * Every opener of the secret store goes through here (CLI commands, `serve`/`demo`, the
 * desktop): the chosen store must be the one this config home's secrets are in
 * (SECRET_STORE_MISMATCH otherwise, instead of silently finding no secrets), and the first
 * secret written pins it.
 */
export async function openPinnedSecretStore(
  pin: SecretStorePin,
  config: Omit<SecretStoreConfig, 'pinned'>,
): Promise<SecretStore> {
  const pinned = pin.pinnedSecretStore?.();
  const store = await openSecretStore({
    nameOf: (id) => pin.findInstallation(id)?.name,
    ...config,
    ...(pinned ? { pinned } : {}),
  });
  return pinningWrites(pin, store);
}

/**
 * The same check for a store its shell opened before the settings were read (the desktop picks
 * the keychain, `demo` a disclosed store of its own).
 */
export function pinnedSecretStore(
  pin: SecretStorePin,
  store: SecretStore,
  config: Pick<SecretStoreConfig, 'home' | 'env' | 'backend'>,
): SecretStore {
  const pinned = pin.pinnedSecretStore?.();
  assertPinnedBackend({ ...config, ...(pinned ? { pinned } : {}) }, store.backend);
  return pinningWrites(pin, store);
}

function pinningWrites(pin: SecretStorePin, store: SecretStore): SecretStore {
  return {
    backend: store.backend,
    persistent: store.persistent,
    osProtected: store.osProtected,
    ...(store.location === undefined ? {} : { location: store.location }),
    probe: () => store.probe(),
    get: (key) => store.get(key),
    delete: (key) => store.delete(key),
    async set(key, value) {
      await store.set(key, value);
      pin.pinSecretStore?.(store.backend);
    },
  };
}
