import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { CompanionError } from '../../common/errors/companion-error.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { withFileLockAsync } from '../settings/file-lock.js';
import type { SecretKey, SecretStore } from './secret-store.js';
import { errorDetail } from './secret-store-errors.js';
import { readBoundedFileSync } from '../io/bounded-file.js';

export const ENCRYPTED_SECRETS_FORMAT = 'bdc-companion-secrets';

export interface ScryptParameters {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP's floor for scrypt is N=2^17, r=8, p=1 (about 128 MiB and a few hundred ms per unlock). */
export const DEFAULT_SCRYPT: ScryptParameters = { N: 2 ** 17, r: 8, p: 1 };

export interface EncryptedFileStoreOptions {
  readonly path: string;
  readonly passphrase: string;
  /** Only for new files; an existing file keeps the parameters it was written with. */
  readonly scrypt?: ScryptParameters;
}

interface Envelope {
  readonly format: typeof ENCRYPTED_SECRETS_FORMAT;
  readonly version: 1;
  readonly kdf: { readonly name: 'scrypt'; readonly salt: string } & ScryptParameters;
  readonly cipher: 'aes-256-gcm';
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
}

function deriveKey(
  passphrase: string,
  salt: Buffer,
  parameters: ScryptParameters,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      passphrase.normalize('NFC'),
      salt,
      32,
      { ...parameters, maxmem: 256 * parameters.N * parameters.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

/** The header is authenticated with the ciphertext, so nobody can weaken the KDF unnoticed. */
function additionalData(envelope: Omit<Envelope, 'iv' | 'tag' | 'ciphertext'>): Buffer {
  return Buffer.from(
    JSON.stringify([envelope.format, envelope.version, envelope.kdf, envelope.cipher]),
  );
}

/**
 * The explicit headless alternative to a keychain: every secret in one file encrypted with a key
 * derived from the admin's passphrase (scrypt, AES-256-GCM), mode 0600, replaced atomically.
 * Selected only on request and disclosed by `auth status`: never a silent downgrade.
 */
export function createEncryptedFileStore(options: EncryptedFileStoreOptions): SecretStore {
  const { path, passphrase } = options;
  let cached: { key: Buffer; kdf: Envelope['kdf'] } | undefined;

  const corrupt = (detail: string): CompanionError =>
    new CompanionError(
      'SECRET_FILE_CORRUPT',
      `The encrypted secrets file ${path} is unusable: ${detail}.`,
      {
        data: { path },
      },
    );

  async function load(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = readBoundedFileSync(path, 'settings').toString('utf8');
    } catch (error) {
      if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return {};
      throw new CompanionError(
        'SECRET_STORE_DENIED',
        `${path} cannot be read: ${errorDetail(error)}`,
      );
    }
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      throw corrupt('not JSON');
    }
    if (
      envelope?.format !== ENCRYPTED_SECRETS_FORMAT ||
      envelope.version !== 1 ||
      envelope.cipher !== 'aes-256-gcm' ||
      envelope.kdf?.name !== 'scrypt'
    ) {
      throw corrupt('not a companion secrets file of a known version');
    }
    const kdf = envelope.kdf;
    if (!cached || cached.kdf.salt !== kdf.salt || cached.kdf.N !== kdf.N) {
      try {
        const key = await deriveKey(passphrase, Buffer.from(kdf.salt, 'base64'), kdf);
        cached = { key, kdf };
      } catch (error) {
        throw corrupt(`its key parameters are invalid (${errorDetail(error)})`);
      }
    }
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        cached.key,
        Buffer.from(envelope.iv, 'base64'),
      );
      decipher.setAAD(additionalData(envelope));
      decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
      const plain = Buffer.concat([
        decipher.update(Buffer.from(envelope.ciphertext, 'base64')),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString('utf8')) as Record<string, string>;
    } catch {
      // GCM cannot tell a wrong passphrase from tampering; the passphrase is by far the likelier.
      throw new CompanionError(
        'SECRET_PASSPHRASE_WRONG',
        `The encrypted secrets file ${path} could not be decrypted with this passphrase.`,
        { data: { path } },
      );
    }
  }

  async function save(entries: Record<string, string>): Promise<void> {
    if (!cached) {
      const salt = randomBytes(16).toString('base64');
      const parameters = options.scrypt ?? DEFAULT_SCRYPT;
      const key = await deriveKey(passphrase, Buffer.from(salt, 'base64'), parameters);
      cached = { key, kdf: { name: 'scrypt', salt, ...parameters } };
    }
    const header = {
      format: ENCRYPTED_SECRETS_FORMAT,
      version: 1,
      kdf: cached.kdf,
      cipher: 'aes-256-gcm',
    } as const;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', cached.key, iv);
    cipher.setAAD(additionalData(header));
    const ciphertext = Buffer.concat([
      cipher.update(JSON.stringify(entries), 'utf8'),
      cipher.final(),
    ]);
    const envelope: Envelope = {
      ...header,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
    writeFileAtomic(path, `${JSON.stringify(envelope)}\n`, 0o600);
  }

  const account = (key: SecretKey): string => `${key.installationId}/${key.kind}`;
  // Serialises this process's read-modify-write cycles.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    backend: 'encrypted-file',
    persistent: true,
    osProtected: false,
    location: path,
    async probe() {
      try {
        await load();
        return { ok: true };
      } catch (error) {
        const code = (error as CompanionError).code;
        return {
          ok: false,
          reason: code === 'SECRET_PASSPHRASE_WRONG' ? 'denied' : 'error',
          detail: errorDetail(error),
        };
      }
    },
    get: (key) => exclusive(async () => (await load())[account(key)]),
    // Other processes (the daemon, the CLI) write the same file: the lock keeps their updates.
    set: (key, value) =>
      exclusive(() =>
        withFileLockAsync(path, async () => {
          const entries = await load();
          entries[account(key)] = value;
          await save(entries);
        }),
      ),
    delete: (key) =>
      exclusive(() =>
        withFileLockAsync(path, async () => {
          const entries = await load();
          if (!(account(key) in entries)) return false;
          delete entries[account(key)];
          await save(entries);
          return true;
        }),
      ),
  };
}
