import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCompanionError } from '../../../common/errors/companion-error.js';
import {
  KEYCHAIN_SERVICE,
  createKeytarStore,
  keychainAccount,
} from '../../../core/secrets/keytar-store.js';
import { classifySecretStoreError } from '../../../core/secrets/secret-store-errors.js';
import { repoRoot } from '../../helpers/cli-harness.js';

// These tests talk to a real Secret Service: run them with ./scripts/with-keyring.sh.
const keyring = process.env['BDC_KEYRING_READY'] === '1';

/** Runs a separate Node process that uses keytar directly, as another program would. */
function otherProcess(script: string, env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

describe.runIf(keyring)('keytar secret store against gnome-keyring', () => {
  it('passes its canary check and stores, reads and deletes a secret', async () => {
    const store = createKeytarStore();
    expect(await store.probe()).toEqual({ ok: true });
    const key = { installationId: randomUUID(), kind: 'pat' } as const;
    expect(await store.get(key)).toBeUndefined();
    await store.set(key, 'BBDC-first/value+1');
    expect(await store.get(key)).toBe('BBDC-first/value+1');
    await store.set(key, 'BBDC-second');
    expect(await store.get(key)).toBe('BBDC-second');
    expect(await store.delete(key)).toBe(true);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.delete(key)).toBe(false);
  });

  it('is read back by a second process under the documented service and account', async () => {
    const store = createKeytarStore();
    const key = { installationId: randomUUID(), kind: 'oauth-client-secret' } as const;
    const secret = `secret-${randomUUID()}`;
    await store.set(key, secret);
    const account = keychainAccount(key);
    expect(account).toBe(`${key.installationId}/oauth-client-secret`);
    const read = otherProcess(
      `import k from 'keytar'; console.log(await k.getPassword(${JSON.stringify(KEYCHAIN_SERVICE)}, ${JSON.stringify(account)}));`,
    );
    expect(read.stderr).toBe('');
    expect(read.stdout).toBe(secret);
    // And the other way round: what another process wrote, this store reads.
    const written = otherProcess(
      `import k from 'keytar'; await k.setPassword(${JSON.stringify(KEYCHAIN_SERVICE)}, ${JSON.stringify(account)}, 'from-child');`,
    );
    expect(written.status).toBe(0);
    expect(await store.get(key)).toBe('from-child');
    await store.delete(key);
  });

  it('leaves no canary entries behind', async () => {
    const store = createKeytarStore();
    await store.probe();
    const listed = otherProcess(
      `import k from 'keytar'; console.log(JSON.stringify((await k.findCredentials(${JSON.stringify(KEYCHAIN_SERVICE)})).map((c) => c.account)));`,
    );
    const accounts = JSON.parse(listed.stdout) as string[];
    expect(accounts.filter((account) => account.startsWith('canary/'))).toEqual([]);
  });
});

describe('keytar secret store failures', () => {
  it('classifies a real missing D-Bus session as unavailable', () => {
    const env = { PATH: process.env['PATH'], HOME: '/nonexistent' };
    const script = `import { createKeytarStore } from './core/secrets/keytar-store.ts';
      console.log(JSON.stringify(await createKeytarStore({ timeoutMs: 5000 }).probe()));`;
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: repoRoot,
        env,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    const health = JSON.parse(run.stdout.trim());
    expect(health.ok).toBe(false);
    expect(health.reason).toBe('unavailable');
    expect(health.detail).toMatch(/D-Bus/i);
  });

  it('classifies a real keyring that was never unlocked as locked', () => {
    // A private D-Bus session with a gnome-keyring that has no unlocked login collection.
    const keyringHome = mkdtempSync(join(tmpdir(), 'bdc-locked-keyring-'));
    try {
      const probe = `import { createKeytarStore } from './core/secrets/keytar-store.ts';
        console.log(JSON.stringify(await createKeytarStore({ timeoutMs: 5000 }).probe()));`;
      const run = spawnSync(
        'dbus-run-session',
        [
          '--',
          'sh',
          '-c',
          'gnome-keyring-daemon --daemonize --components=secrets >/dev/null 2>&1; sleep 1; exec "$0" --import tsx --input-type=module -e "$1"',
          process.execPath,
          probe,
        ],
        {
          cwd: repoRoot,
          env: {
            PATH: process.env['PATH'],
            HOME: keyringHome,
            XDG_DATA_HOME: join(keyringHome, 'data'),
          },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      const health = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
      expect(health).toMatchObject({ ok: false, reason: 'locked' });
      expect(health.detail).toContain('collection/login');
    } finally {
      rmSync(keyringHome, { recursive: true, force: true });
    }
  });

  it('classifies a library that cannot load as unavailable, without crashing', async () => {
    const store = createKeytarStore({
      load: () => Promise.reject(new Error('libsecret-1.so.0: cannot open shared object file')),
    });
    expect(await store.probe()).toMatchObject({ ok: false, reason: 'unavailable' });
    await expect(store.get({ installationId: 'x', kind: 'pat' })).rejects.toMatchObject({
      code: 'SECRET_STORE_UNAVAILABLE',
    });
  });

  it('bounds every call with a timeout and reports it as a locked keychain', async () => {
    const hang = () => new Promise<never>(() => undefined);
    const store = createKeytarStore({
      timeoutMs: 100,
      load: async () => ({ getPassword: hang, setPassword: hang, deletePassword: hang }),
    });
    const started = Date.now();
    try {
      await store.get({ installationId: 'x', kind: 'pat' });
      expect.unreachable();
    } catch (error) {
      expect(isCompanionError(error, 'SECRET_STORE_LOCKED')).toBe(true);
      expect((error as Error).message).toContain('100 ms');
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses secrets too large for the Windows credential manager before calling it', async () => {
    let called = false;
    const store = createKeytarStore({
      platform: 'win32',
      load: async () => ({
        getPassword: async () => null,
        setPassword: async () => void (called = true),
        deletePassword: async () => false,
      }),
    });
    await expect(
      store.set({ installationId: 'x', kind: 'oauth-tokens' }, 'x'.repeat(1281)),
    ).rejects.toMatchObject({ code: 'SECRET_TOO_LARGE' });
    expect(called).toBe(false);
    await store.set({ installationId: 'x', kind: 'oauth-tokens' }, 'x'.repeat(1280));
    expect(called).toBe(true);
  });

  it('classifies the known keychain failure signatures', () => {
    const cases: [string, string][] = [
      ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'unavailable'],
      ["Couldn't access platform storage: AccessDenied", 'unavailable'],
      ['org.freedesktop.DBus.Error.AccessDenied: not allowed', 'denied'],
      ['Object does not exist at path “/org/freedesktop/secrets/collection/login”', 'locked'],
      ['Cannot create an item in a locked collection', 'locked'],
      ['Secret Service: no result found', 'locked'],
      ['The name org.freedesktop.secrets was not provided by any .service files', 'unavailable'],
      ['User canceled the operation. (-128)', 'denied'],
      ['Could not connect: No such file or directory', 'unavailable'],
      ['something else entirely', 'error'],
    ];
    for (const [detail, reason] of cases)
      expect(classifySecretStoreError(detail), detail).toBe(reason);
  });
});
