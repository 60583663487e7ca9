import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { SecretKey, SecretStore } from './secret-store.js';
import { errorDetail } from './secret-store-errors.js';
import { readBoundedFileSync } from '../io/bounded-file.js';

export interface CredentialsDirStoreOptions {
  /** systemd sets `$CREDENTIALS_DIRECTORY` for units with `LoadCredential=`. */
  readonly directory: string;
  /** Maps an installation id to its name, so admins can name files after the installation. */
  readonly nameOf?: (installationId: string) => string | undefined;
}

/** The file names looked up for a secret, most readable first: `prod.pat`, then `<id>.pat`. */
export function credentialFileNames(
  key: SecretKey,
  nameOf?: (installationId: string) => string | undefined,
): string[] {
  const name = nameOf?.(key.installationId);
  return [...(name ? [`${name}.${key.kind}`] : []), `${key.installationId}.${key.kind}`];
}

/**
 * Secrets handed to a service by its supervisor (systemd `LoadCredential=`, a Kubernetes secret
 * volume): read-only, each secret one file. The companion never writes here; the admin manages
 * the files, so storing only succeeds when the file already holds the same value (which lets
 * `auth pat --token-stdin < file` verify and record a credential the unit provides).
 */
export function createCredentialsDirStore(options: CredentialsDirStoreOptions): SecretStore {
  const { directory, nameOf } = options;

  const read = (key: SecretKey): string | undefined => {
    for (const file of credentialFileNames(key, nameOf)) {
      try {
        // One trailing newline is what `echo` and most editors add; it is never part of a secret.
        return readBoundedFileSync(join(directory, file), 'token')
          .toString('utf8')
          .replace(/\r?\n$/, '');
      } catch (error) {
        if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') continue;
        throw new CompanionError(
          'SECRET_STORE_DENIED',
          `The credential file ${join(directory, file)} could not be read: ${errorDetail(error)}`,
          { cause: error },
        );
      }
    }
    return undefined;
  };

  return {
    backend: 'credentials-dir',
    persistent: true,
    osProtected: false,
    location: directory,
    async probe() {
      try {
        if (!statSync(directory).isDirectory()) {
          return { ok: false, reason: 'unavailable', detail: `${directory} is not a folder` };
        }
        accessSync(directory, constants.R_OK | constants.X_OK);
        return { ok: true };
      } catch (error) {
        const denied = (error as NodeJS.ErrnoException).code === 'EACCES';
        return {
          ok: false,
          reason: denied ? 'denied' : 'unavailable',
          detail: `the credentials folder ${directory} cannot be read (${errorDetail(error)})`,
        };
      }
    },
    async get(key) {
      return read(key);
    },
    async set(key, value) {
      if (read(key) === value) return;
      const file = join(directory, credentialFileNames(key, nameOf)[0] as string);
      throw new CompanionError(
        'SECRET_STORE_READ_ONLY',
        `The credentials folder is read-only to the companion; put the ${key.kind} in ${file} (e.g. LoadCredential=${credentialFileNames(key, nameOf)[0]}:/etc/bdc-companion/…) and run the command again.`,
        { data: { file } },
      );
    },
    async delete() {
      // The supervisor owns these files; removing an installation cannot remove them.
      return false;
    },
  };
}
