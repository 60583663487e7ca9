import type { Database } from 'better-sqlite3';
import { openPinnedSecretStore } from '../secrets/pinned-secret-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { openSettings } from '../settings/settings-file.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { openDatabase } from '../storage/database.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The ports of a config home as a one-shot process (a CLI command) opens them: the settings file
 * at once, the secret store and the database on first use, so a command that needs neither never
 * touches the keychain or SQLite. The desktop and `serve` open theirs in `core/service`.
 */
export interface LocalPorts {
  readonly home: string;
  readonly env: Environment;
  readonly settings: SettingsStore;
  /** The store this home's secrets are in (SECRET_STORE_MISMATCH otherwise). */
  secretStore(): Promise<SecretStore>;
  database(): Database;
  close(): void;
}

export function openLocalPorts(home: string, env: Environment): LocalPorts {
  const settings = openSettings(home);
  let secrets: Promise<SecretStore> | undefined;
  let database: Database | undefined;
  return {
    home,
    env,
    settings,
    secretStore() {
      secrets ??= openPinnedSecretStore(settings, { home, env });
      return secrets;
    },
    database() {
      database ??= openDatabase(home);
      return database;
    },
    close() {
      database?.close();
      database = undefined;
    },
  };
}
