import { join } from 'node:path';
import { CompanionError } from '../../common/errors/companion-error.js';
import { registerSecret } from '../logging/redact.js';
import { createCredentialsDirStore } from './credentials-dir-store.js';
import { createEncryptedFileStore, type ScryptParameters } from './encrypted-file-store.js';
import { createKeytarStore, type KeytarModule } from './keytar-store.js';
import type { SecretStore, SecretStoreBackend } from './secret-store.js';
import { errorDetail, secretStoreError } from './secret-store-errors.js';
import { readBoundedFileSync } from '../io/bounded-file.js';
import { keychainSituation, noKeychainError } from './keychain-advice.js';

export const SECRET_STORE_ENV = 'BDC_COMPANION_SECRET_STORE';
export const PASSPHRASE_ENV = 'BDC_COMPANION_SECRETS_PASSPHRASE';
export const PASSPHRASE_FILE_ENV = 'BDC_COMPANION_SECRETS_PASSPHRASE_FILE';
export const ENCRYPTED_SECRETS_FILE = 'secrets.enc';

/** The backends an admin may choose; `memory` is for unit tests and never chosen by name. */
export const SELECTABLE_BACKENDS = ['keytar', 'credentials-dir', 'encrypted-file'] as const;
export type SelectableBackend = (typeof SELECTABLE_BACKENDS)[number];

export interface SecretStoreConfig {
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Overrides the environment (the desktop shell's own choice). */
  readonly backend?: SelectableBackend;
  readonly nameOf?: (installationId: string) => string | undefined;
  readonly timeoutMs?: number;
  /** Run the canary check now and fail with its classified error (default true). */
  readonly probe?: boolean;
  readonly scrypt?: ScryptParameters;
  readonly loadKeytar?: () => Promise<KeytarModule>;
  /** The store this config home's secrets are in (settings `pinnedSecretStore()`). */
  readonly pinned?: SecretStoreBackend;
}

export function chosenBackend(
  config: Pick<SecretStoreConfig, 'env' | 'backend'>,
): SelectableBackend {
  const requested = config.backend ?? config.env[SECRET_STORE_ENV]?.trim();
  if (requested === undefined || requested === '') return 'keytar';
  if ((SELECTABLE_BACKENDS as readonly string[]).includes(requested)) {
    return requested as SelectableBackend;
  }
  throw new CompanionError(
    'SECRET_STORE_UNKNOWN',
    `${SECRET_STORE_ENV}="${requested.slice(0, 40)}" is not a secret store; use ${SELECTABLE_BACKENDS.join(', ')}.`,
  );
}

function passphraseFrom(env: SecretStoreConfig['env']): string {
  const file = env[PASSPHRASE_FILE_ENV];
  if (file) {
    try {
      const passphrase = readBoundedFileSync(file, 'token')
        .toString('utf8')
        .replace(/\r?\n$/, '');
      registerSecret(passphrase);
      return passphrase;
    } catch (error) {
      throw new CompanionError(
        'SECRET_STORE_NOT_CONFIGURED',
        `${PASSPHRASE_FILE_ENV} names ${file}, which cannot be read: ${errorDetail(error)}`,
      );
    }
  }
  const passphrase = env[PASSPHRASE_ENV];
  if (passphrase) {
    registerSecret(passphrase);
    return passphrase;
  }
  throw new CompanionError(
    'SECRET_STORE_NOT_CONFIGURED',
    `The encrypted-file secret store needs a passphrase: set ${PASSPHRASE_FILE_ENV} (preferred) or ${PASSPHRASE_ENV}.`,
  );
}

/**
 * Refuses a store other than the one this config home's secrets are in: a later run with another
 * store would otherwise find no secrets and look signed out. `memory` (tests) is never pinned.
 */
export function assertPinnedBackend(
  config: Pick<SecretStoreConfig, 'home' | 'env' | 'backend' | 'pinned'>,
  backend: SecretStoreBackend,
): void {
  if (config.pinned === undefined || config.pinned === 'memory' || backend === 'memory') return;
  if (config.pinned !== backend) {
    throw new CompanionError(
      'SECRET_STORE_MISMATCH',
      `The secrets of ${config.home} are in the ${config.pinned} secret store, but ${backend} was chosen${
        config.backend === undefined && !config.env[SECRET_STORE_ENV] ? ' (the default)' : ''
      }.`,
      {
        hint: `Set ${SECRET_STORE_ENV}=${config.pinned}${
          config.pinned === 'encrypted-file'
            ? ` and ${PASSPHRASE_FILE_ENV}`
            : config.pinned === 'credentials-dir'
              ? ' and run under the service unit that sets CREDENTIALS_DIRECTORY'
              : ''
        }, as when the secrets were stored.`,
        data: { pinned: config.pinned, chosen: backend },
      },
    );
  }
}

/**
 * Opens the secret store the admin chose: the OS keychain unless `BDC_COMPANION_SECRET_STORE`
 * (or the desktop shell) names a headless alternative. When the chosen store does not work the
 * caller gets its classified error — there is no silent fallback, least of all to plaintext.
 */
export async function openSecretStore(config: SecretStoreConfig): Promise<SecretStore> {
  const backend = chosenBackend(config);
  assertPinnedBackend(config, backend);
  let store: SecretStore;
  switch (backend) {
    case 'keytar':
      store = createKeytarStore({
        ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
        ...(config.loadKeytar ? { load: config.loadKeytar } : {}),
      });
      break;
    case 'credentials-dir': {
      const directory = config.env['CREDENTIALS_DIRECTORY'];
      if (!directory) {
        throw new CompanionError(
          'SECRET_STORE_NO_CREDENTIALS_DIRECTORY',
          `${SECRET_STORE_ENV}=credentials-dir reads its secrets from the folder named by CREDENTIALS_DIRECTORY, which is not set here: systemd sets it only inside a service unit with LoadCredential=.`,
          {
            hint: `Outside such a unit, set ${SECRET_STORE_ENV}=encrypted-file and ${PASSPHRASE_FILE_ENV}=<a file holding the passphrase> instead.`,
          },
        );
      }
      store = createCredentialsDirStore({
        directory,
        ...(config.nameOf ? { nameOf: config.nameOf } : {}),
      });
      break;
    }
    case 'encrypted-file':
      store = createEncryptedFileStore({
        path: join(config.home, ENCRYPTED_SECRETS_FILE),
        passphrase: passphraseFrom(config.env),
        ...(config.scrypt ? { scrypt: config.scrypt } : {}),
      });
      break;
    default: {
      const unreachable: never = backend;
      throw new Error(`unknown backend ${String(unreachable)}`);
    }
  }
  if (config.probe ?? true) {
    const health = await store.probe();
    if (!health.ok && backend === 'keytar' && health.reason === 'unavailable') {
      // The headless dead end: name the store that works on this machine, with its variables.
      throw noKeychainError(health, keychainSituation(config.env), config.pinned);
    }
    if (!health.ok) throw secretStoreError(health, `The ${backend} secret store is not usable`);
  }
  return registeringSecrets(store);
}

/**
 * Every secret that passes through the store — read or written — is registered with the one
 * redactor, so it is masked in any log line or diagnostic even if some code path mishandles it.
 */
export function registeringSecrets(store: SecretStore): SecretStore {
  return {
    backend: store.backend,
    persistent: store.persistent,
    osProtected: store.osProtected,
    ...(store.location === undefined ? {} : { location: store.location }),
    probe: () => store.probe(),
    async get(key) {
      const value = await store.get(key);
      registerSecret(value);
      return value;
    },
    async set(key, value) {
      registerSecret(value);
      await store.set(key, value);
    },
    delete: (key) => store.delete(key),
  };
}

/** One line for `auth status` and the UI: which store holds the secrets and how safe it is. */
export function describeSecretStore(store: SecretStore): string {
  switch (store.backend) {
    case 'keytar':
      return 'OS keychain';
    case 'credentials-dir':
      return `credentials folder ${store.location ?? ''} (read-only, provided by the service manager)`;
    case 'encrypted-file':
      return `encrypted file ${store.location ?? ''} (passphrase-protected, not the OS keychain)`;
    case 'memory':
      return 'memory only (secrets are forgotten when the process ends)';
    default: {
      const unreachable: never = store.backend;
      return String(unreachable);
    }
  }
}
