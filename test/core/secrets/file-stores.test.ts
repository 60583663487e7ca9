import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCredentialsDirStore } from '../../../core/secrets/credentials-dir-store.js';
import { createEncryptedFileStore } from '../../../core/secrets/encrypted-file-store.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import { repoRoot } from '../../helpers/cli-harness.js';
import {
  ENCRYPTED_SECRETS_FILE,
  describeSecretStore,
  openSecretStore,
} from '../../../core/secrets/open-secret-store.js';

const FAST = { N: 2 ** 14, r: 8, p: 1 };
const id = '0b5c3e7e-9a51-4f3c-8d0e-2f8f4f5a1c11';
const pat = { installationId: id, kind: 'pat' } as const;
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'bdc-secrets-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('encrypted-file secret store', () => {
  it('round-trips secrets through a 0600 file that holds no plaintext', async () => {
    const path = join(home, 'secrets.enc');
    const store = createEncryptedFileStore({ path, passphrase: 'correct horse', scrypt: FAST });
    await store.set(pat, 'BBDC-PLAINTEXT-MARKER-1234');
    await store.set({ installationId: id, kind: 'webhook-secret' }, 'hook-MARKER');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(path, 'utf8');
    expect(bytes).not.toContain('PLAINTEXT-MARKER');
    expect(bytes).not.toContain('hook-MARKER');
    expect(bytes).not.toContain(id);
    const again = createEncryptedFileStore({ path, passphrase: 'correct horse' });
    expect(await again.get(pat)).toBe('BBDC-PLAINTEXT-MARKER-1234');
    expect(await again.delete(pat)).toBe(true);
    expect(await again.get(pat)).toBeUndefined();
    expect(await store.get({ installationId: id, kind: 'webhook-secret' })).toBe('hook-MARKER');
  });

  it('uses scrypt N=2^17 by default and records the parameters in the file', async () => {
    const path = join(home, 'secrets.enc');
    const store = createEncryptedFileStore({ path, passphrase: 'pw' });
    await store.set(pat, 'x');
    expect(JSON.parse(readFileSync(path, 'utf8')).kdf).toMatchObject({
      name: 'scrypt',
      N: 131072,
      r: 8,
      p: 1,
    });
  });

  it('refuses a wrong passphrase and a weakened header without touching the file', async () => {
    const path = join(home, 'secrets.enc');
    await createEncryptedFileStore({ path, passphrase: 'right', scrypt: FAST }).set(pat, 'v');
    const before = readFileSync(path, 'utf8');
    const wrong = createEncryptedFileStore({ path, passphrase: 'wrong', scrypt: FAST });
    await expect(wrong.get(pat)).rejects.toMatchObject({ code: 'SECRET_PASSPHRASE_WRONG' });
    await expect(wrong.set(pat, 'other')).rejects.toMatchObject({
      code: 'SECRET_PASSPHRASE_WRONG',
    });
    expect(await wrong.probe()).toMatchObject({ ok: false, reason: 'denied' });
    expect(readFileSync(path, 'utf8')).toBe(before);
    const envelope = JSON.parse(before);
    envelope.kdf.N = 2 ** 10;
    writeFileSync(path, JSON.stringify(envelope));
    await expect(
      createEncryptedFileStore({ path, passphrase: 'right' }).get(pat),
    ).rejects.toMatchObject({ code: 'SECRET_PASSPHRASE_WRONG' });
    writeFileSync(path, 'not json');
    await expect(
      createEncryptedFileStore({ path, passphrase: 'right' }).get(pat),
    ).rejects.toMatchObject({ code: 'SECRET_FILE_CORRUPT' });
  });
});

describe('encrypted-file secret store shared by processes', () => {
  it('keeps every secret when three processes write at the same time', async () => {
    const path = join(home, 'secrets.enc');
    const script = `
      import { createEncryptedFileStore } from './core/secrets/encrypted-file-store.ts';
      const store = createEncryptedFileStore({ path: process.argv[1], passphrase: 'shared', scrypt: { N: 16384, r: 8, p: 1 } });
      for (let index = 0; index < 5; index += 1) {
        await store.set({ installationId: process.argv[2] + '-' + index, kind: 'pat' }, 'value-' + process.argv[2] + index);
      }`;
    const codes = await Promise.all(
      ['a', 'b', 'c'].map(
        (prefix) =>
          new Promise<number>((resolve) => {
            const child = spawn(
              process.execPath,
              ['--import', 'tsx', '--input-type=module', '-e', script, path, prefix],
              { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
            );
            child.on('close', (code) => resolve(code ?? -1));
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0]);
    const store = createEncryptedFileStore({ path, passphrase: 'shared' });
    for (const prefix of ['a', 'b', 'c']) {
      for (let index = 0; index < 5; index += 1) {
        expect(await store.get({ installationId: `${prefix}-${index}`, kind: 'pat' })).toBe(
          `value-${prefix}${index}`,
        );
      }
    }
  });
});

describe('credentials-dir secret store', () => {
  it('reads files named after the installation or its id, one trailing newline dropped', async () => {
    const directory = join(home, 'creds');
    mkdirSync(directory);
    writeFileSync(join(directory, 'prod.pat'), 'BBDC-by-name\n');
    writeFileSync(join(directory, `${id}.webhook-secret`), 'by-id');
    const store = createCredentialsDirStore({ directory, nameOf: () => 'prod' });
    expect(await store.probe()).toEqual({ ok: true });
    expect(await store.get(pat)).toBe('BBDC-by-name');
    expect(await store.get({ installationId: id, kind: 'webhook-secret' })).toBe('by-id');
    expect(await store.get({ installationId: id, kind: 'oauth-tokens' })).toBeUndefined();
  });

  it('is read-only: storing the value already there succeeds, anything else names the file', async () => {
    const directory = join(home, 'creds');
    mkdirSync(directory);
    writeFileSync(join(directory, 'prod.pat'), 'BBDC-x\n');
    const store = createCredentialsDirStore({ directory, nameOf: () => 'prod' });
    await store.set(pat, 'BBDC-x');
    await expect(store.set(pat, 'BBDC-other')).rejects.toMatchObject({
      code: 'SECRET_STORE_READ_ONLY',
      message: expect.stringContaining(join(directory, 'prod.pat')),
    });
    expect(await store.delete(pat)).toBe(false);
    expect(readFileSync(join(directory, 'prod.pat'), 'utf8')).toBe('BBDC-x\n');
  });

  it('reports a missing or unreadable folder', async () => {
    expect(
      await createCredentialsDirStore({ directory: join(home, 'none') }).probe(),
    ).toMatchObject({
      ok: false,
      reason: 'unavailable',
    });
    if (process.getuid?.() !== 0) {
      const locked = join(home, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0);
      expect(await createCredentialsDirStore({ directory: locked }).probe()).toMatchObject({
        ok: false,
        reason: 'denied',
      });
    }
  });
});

describe('openSecretStore', () => {
  it('uses the keychain unless a backend is chosen explicitly', async () => {
    const store = await openSecretStore({ home, env: {}, probe: false });
    expect(store.backend).toBe('keytar');
    expect(describeSecretStore(store)).toBe('OS keychain');
  });

  it('opens the encrypted file with a passphrase from a file or the environment', async () => {
    const passphraseFile = join(home, 'pass');
    writeFileSync(passphraseFile, 'from-file\n');
    const store = await openSecretStore({
      home,
      env: {
        BDC_COMPANION_SECRET_STORE: 'encrypted-file',
        BDC_COMPANION_SECRETS_PASSPHRASE_FILE: passphraseFile,
      },
      scrypt: FAST,
    });
    await store.set(pat, 'v');
    expect(store.location).toBe(join(home, ENCRYPTED_SECRETS_FILE));
    expect(describeSecretStore(store)).toContain('not the OS keychain');
    const viaEnv = await openSecretStore({
      home,
      env: {
        BDC_COMPANION_SECRET_STORE: 'encrypted-file',
        BDC_COMPANION_SECRETS_PASSPHRASE: 'from-file',
      },
    });
    expect(await viaEnv.get(pat)).toBe('v');
    await expect(
      openSecretStore({
        home,
        env: {
          BDC_COMPANION_SECRET_STORE: 'encrypted-file',
          BDC_COMPANION_SECRETS_PASSPHRASE: 'nope',
        },
      }),
    ).rejects.toMatchObject({ code: 'SECRET_STORE_DENIED' });
  });

  it('refuses a store other than the one the config home is pinned to', async () => {
    await expect(
      openSecretStore({ home, env: {}, pinned: 'encrypted-file', probe: false }),
    ).rejects.toMatchObject({
      code: 'SECRET_STORE_MISMATCH',
      hint: expect.stringContaining('BDC_COMPANION_SECRET_STORE=encrypted-file'),
    });
    const same = await openSecretStore({ home, env: {}, pinned: 'keytar', probe: false });
    expect(same.backend).toBe('keytar');
  });

  it('refuses unknown backends and headless stores without their settings', async () => {
    await expect(
      openSecretStore({ home, env: { BDC_COMPANION_SECRET_STORE: 'plaintext' } }),
    ).rejects.toMatchObject({ code: 'SECRET_STORE_UNKNOWN' });
    await expect(
      openSecretStore({ home, env: { BDC_COMPANION_SECRET_STORE: 'encrypted-file' } }),
    ).rejects.toMatchObject({ code: 'SECRET_STORE_NOT_CONFIGURED' });
    await expect(
      openSecretStore({ home, env: { BDC_COMPANION_SECRET_STORE: 'credentials-dir' } }),
    ).rejects.toMatchObject({ code: 'SECRET_STORE_NO_CREDENTIALS_DIRECTORY' });
  });

  it('fails with the classified error instead of falling back when the keychain is broken', async () => {
    await expect(
      openSecretStore({
        home,
        env: {},
        loadKeytar: () => Promise.reject(new Error('Cannot find module keytar')),
      }),
    ).rejects.toMatchObject({ code: 'SECRET_STORE_UNAVAILABLE' });
  });

  it('has a memory store for unit tests that says it is not persistent', async () => {
    const store = createMemorySecretStore();
    await store.set(pat, 'v');
    expect(await store.get(pat)).toBe('v');
    expect(store.persistent).toBe(false);
    expect(describeSecretStore(store)).toContain('forgotten');
  });
});
