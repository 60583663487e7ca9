import type { Installation } from '../../common/models/installation.js';
import type { NetworkSettings } from '../../common/models/network.js';
import type { SecretStoreBackend } from '../secrets/secret-store.js';
import type { CacheSettings } from './settings-schema.js';

export type { CacheSettings };

/**
 * Installations and app settings, persisted in the config home (`conf`; electron-store in
 * Electron). Implemented in `settings-file.ts`.
 */
export interface SettingsStore {
  /** The settings file, for messages and diagnostics. */
  readonly path: string;
  listInstallations(): readonly Installation[];
  /** By name or id; undefined when there is none. */
  findInstallation(nameOrId: string): Installation | undefined;
  /** By name or id; throws INSTALLATION_NOT_FOUND naming what exists. */
  requireInstallation(nameOrId: string): Installation;
  /** Inserts or replaces by id, atomically. */
  saveInstallation(installation: Installation): void;
  /** Removes by name or id and returns what was removed (its secrets are the caller's job). */
  removeInstallation(nameOrId: string): Installation;
  /**
   * The secret store this config home's secrets went to first. Pinned so a later run with another
   * store (a missing `BDC_COMPANION_SECRET_STORE`, say) fails clearly instead of finding nothing.
   * Optional so in-memory fakes need not implement it.
   */
  pinnedSecretStore?(): SecretStoreBackend | undefined;
  pinSecretStore?(backend: SecretStoreBackend): void;
  /** Clone-cache and engine settings (optional for in-memory fakes). */
  cacheSettings?(): CacheSettings;
  saveCacheSettings?(settings: CacheSettings): void;
  /** The Network setting (`auto` when never saved; optional for in-memory fakes). */
  networkSettings?(): NetworkSettings;
  saveNetworkSettings?(settings: NetworkSettings): void;
}
