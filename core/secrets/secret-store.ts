import type { SecretKind } from '../../common/models/secret-kind.js';

export interface SecretKey {
  readonly installationId: string;
  readonly kind: SecretKind;
}

export type SecretStoreBackend = 'keytar' | 'credentials-dir' | 'encrypted-file' | 'memory';

export type SecretStoreHealth =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'unavailable' | 'locked' | 'denied' | 'error';
      readonly detail: string;
    };

/**
 * The port through which every secret is read and written. Implementations: the OS keychain
 * (keytar, the default), an explicit headless alternative that `auth status` discloses, and a
 * memory store for unit tests. There is never a silent fallback to plaintext.
 */
export interface SecretStore {
  readonly backend: SecretStoreBackend;
  /** Survives a restart of the process. */
  readonly persistent: boolean;
  /** Protected by the operating system (keychain) rather than by a file's permissions. */
  readonly osProtected: boolean;
  /** Where a file-based backend keeps its secrets (disclosed by `auth status`); none for keychains. */
  readonly location?: string;
  /** Write, read and delete a canary entry; classify any failure. */
  probe(): Promise<SecretStoreHealth>;
  get(key: SecretKey): Promise<string | undefined>;
  set(key: SecretKey, value: string): Promise<void>;
  delete(key: SecretKey): Promise<boolean>;
}
