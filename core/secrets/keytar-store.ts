import { randomBytes } from 'node:crypto';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { SecretKey, SecretStore, SecretStoreHealth } from './secret-store.js';
import {
  classifySecretStoreError,
  errorDetail,
  secretStoreError,
  type SecretStoreFailure,
} from './secret-store-errors.js';

/** The keychain "service" every entry is filed under; the account is `<installationId>/<kind>`. */
export const KEYCHAIN_SERVICE = 'io.ankra.bdc-companion';

/** The calls used from keytar 7.9 (archived upstream; its N-API addon still loads on Node 20). */
export interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarStoreOptions {
  /** A macOS keychain prompt or a hung D-Bus blocks forever; every call gets this bound. */
  readonly timeoutMs?: number;
  /** Injectable loader (tests pass a broken one to check classification). */
  readonly load?: () => Promise<KeytarModule>;
  /** `process.platform` by default; decides the size limit below. */
  readonly platform?: NodeJS.Platform;
}

/**
 * Windows Credential Manager holds at most 2560 bytes per entry (CRED_MAX_CREDENTIAL_BLOB_SIZE),
 * stored as UTF-16: about 1280 characters. Refused up front with a clear code rather than with
 * the keychain's opaque error.
 */
export function maxSecretLength(platform: NodeJS.Platform): number | undefined {
  return platform === 'win32' ? 1280 : undefined;
}

export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5_000;

export function keychainAccount(key: SecretKey): string {
  return `${key.installationId}/${key.kind}`;
}

/**
 * Imported on first use, never at start-up: a machine without libsecret must still run every
 * command that needs no secret, and say why the keychain is unavailable when one does.
 */
async function loadKeytar(): Promise<KeytarModule> {
  const imported = (await import('keytar')) as KeytarModule & { default?: KeytarModule };
  return imported.default ?? imported;
}

class KeychainFailure extends Error {
  constructor(readonly failure: SecretStoreFailure) {
    super(failure.detail);
  }
}

/** The OS keychain through keytar: the default secret store. */
export function createKeytarStore(options: KeytarStoreOptions = {}): SecretStore {
  const timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
  const load = options.load ?? loadKeytar;
  let loaded: Promise<KeytarModule> | undefined;

  async function call<T>(what: string, run: (keytar: KeytarModule) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new KeychainFailure({
              ok: false,
              reason: 'locked',
              detail: `the keychain did not answer within ${timeoutMs} ms (an unlock prompt may be waiting)`,
            }),
          ),
        timeoutMs,
      );
      timer.unref();
    });
    try {
      loaded ??= load();
      const keytar = await Promise.race([loaded, timeout]).catch((error: unknown) => {
        loaded = undefined;
        if (error instanceof KeychainFailure) throw error;
        throw new KeychainFailure({
          ok: false,
          reason: 'unavailable',
          detail: `the keychain library could not be loaded (${errorDetail(error)})`,
        });
      });
      return await Promise.race([run(keytar), timeout]);
    } catch (error) {
      const failure =
        error instanceof KeychainFailure
          ? error.failure
          : ({
              ok: false,
              reason: classifySecretStoreError(errorDetail(error)),
              detail: errorDetail(error),
            } as const);
      throw secretStoreError(failure, `The OS keychain failed to ${what}`, error);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    backend: 'keytar',
    persistent: true,
    osProtected: true,
    async probe(): Promise<SecretStoreHealth> {
      const account = `canary/${process.pid}-${randomBytes(6).toString('hex')}`;
      const value = randomBytes(16).toString('base64url');
      try {
        await call('store the start-up canary', (k) =>
          k.setPassword(KEYCHAIN_SERVICE, account, value),
        );
        const read = await call('read the start-up canary', (k) =>
          k.getPassword(KEYCHAIN_SERVICE, account),
        );
        await call('delete the start-up canary', (k) =>
          k.deletePassword(KEYCHAIN_SERVICE, account),
        );
        if (read !== value) {
          return {
            ok: false,
            reason: 'error',
            detail: 'the canary read back differs from what was written',
          };
        }
        return { ok: true };
      } catch (error) {
        const data = (error as { data?: { reason?: SecretStoreFailure['reason'] } }).data;
        return { ok: false, reason: data?.reason ?? 'error', detail: errorDetail(error) };
      }
    },
    async get(key) {
      const value = await call('read a secret', (k) =>
        k.getPassword(KEYCHAIN_SERVICE, keychainAccount(key)),
      );
      return value ?? undefined;
    },
    async set(key, value) {
      const limit = maxSecretLength(options.platform ?? process.platform);
      if (limit !== undefined && value.length > limit) {
        throw new CompanionError(
          'SECRET_TOO_LARGE',
          `The ${key.kind} secret has ${value.length} characters; this keychain stores at most ${limit}.`,
        );
      }
      await call('store a secret', (k) =>
        k.setPassword(KEYCHAIN_SERVICE, keychainAccount(key), value),
      );
    },
    async delete(key) {
      return call('delete a secret', (k) =>
        k.deletePassword(KEYCHAIN_SERVICE, keychainAccount(key)),
      );
    },
  };
}
