import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionError } from '../../common/errors/companion-error.js';
import { catalogueEntry } from '../../common/errors/catalogue.js';
import { openSecretStore } from '../../core/secrets/open-secret-store.js';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { binPath, runCliProcess, type CliRun } from '../helpers/cli-harness.js';

/**
 * Issue 16 item 7: on a server without a keychain (no D-Bus session, no Secret Service), the
 * companion names the store that works here — encrypted-file and its passphrase-file variable —
 * before it asks for a token, and the advice it gives is proven to work. The real bin runs as a
 * child process whose environment has no (or a dead) D-Bus session, so keytar meets exactly what a
 * headless server gives it. Needs `npm run build`.
 */
let sim: RunningSimulator;
let scratch: string;
let home: string;

beforeAll(async () => {
  sim = await startSimulator({ platform: false });
  scratch = mkdtempSync(join(tmpdir(), 'bdc-headless-keychain-'));
  home = join(scratch, 'home');
});
afterAll(async () => {
  await sim.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** No DBUS_SESSION_BUS_ADDRESS and no DISPLAY: what an SSH session on a server has. */
function headlessEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { HOME: scratch, BDC_COMPANION_HOME: home, ...extra };
}

/**
 * Runs the bin with standard input left open and never written: a command that reads the token
 * first would wait here until the timeout; one that checks the store first exits on its own.
 */
function runWithOpenStdin(argv: readonly string[], env: Record<string, string | undefined>) {
  return new Promise<CliRun & { waitedForInput: boolean }>((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...argv], {
      env: { PATH: process.env['PATH'], ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let waitedForInput = false;
    const timer = setTimeout(() => {
      waitedForInput = true;
      child.kill('SIGKILL');
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, waitedForInput });
    });
  });
}

describe('no keychain on a headless server', () => {
  it('installation add names the store that works here, with its variables, before any token', async () => {
    const args = ['installation', 'add', 'srv', '--url', sim.url, '--ca-file', sim.caFile];
    const added = await runCliProcess([...args, '--allow-loopback', '--json'], {
      env: headlessEnv(),
    });
    expect(added.code, added.stderr).toBe(0);
    const document = JSON.parse(added.stdout) as {
      ok: boolean;
      secretStoreProblem?: { code: string; message: string; hint: string };
    };
    expect(document.ok).toBe(true);
    expect(document.secretStoreProblem?.code).toBe('SECRET_STORE_UNAVAILABLE');
    expect(document.secretStoreProblem?.message).toContain('DBUS_SESSION_BUS_ADDRESS is not set');
    expect(document.secretStoreProblem?.hint).toContain(
      'BDC_COMPANION_SECRET_STORE=encrypted-file',
    );
    expect(document.secretStoreProblem?.hint).toContain('BDC_COMPANION_SECRETS_PASSPHRASE_FILE=');

    // The human output's next step is the sign-in with exactly those variables.
    const human = await runCliProcess(
      [
        'installation',
        'add',
        'srv2',
        '--url',
        sim.url,
        '--ca-file',
        sim.caFile,
        '--allow-loopback',
      ],
      { env: headlessEnv() },
    );
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /next\s+BDC_COMPANION_SECRET_STORE=encrypted-file BDC_COMPANION_SECRETS_PASSPHRASE_FILE=<passphrase file> bdc-companion auth pat srv2 --token-stdin/,
    );
  });

  it('auth pat fails before reading a token, names encrypted-file, and that advice works', async () => {
    for (const bus of [undefined, 'unix:path=/nonexistent/bus']) {
      const env = headlessEnv(bus === undefined ? {} : { DBUS_SESSION_BUS_ADDRESS: bus });
      const run = await runWithOpenStdin(['auth', 'pat', 'srv', '--token-stdin', '--json'], env);
      expect(run.waitedForInput, 'auth pat waited for a token it could not store').toBe(false);
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(/paste the token/i);
      const error = (JSON.parse(run.stdout) as { error: { code: string; hint: string } }).error;
      expect(error.code).toBe('SECRET_STORE_UNAVAILABLE');
      expect(error.hint).toContain('BDC_COMPANION_SECRET_STORE=encrypted-file');
      expect(error.hint).toContain('BDC_COMPANION_SECRETS_PASSPHRASE_FILE=');
      expect(error.hint).not.toMatch(/as the message says/);
    }

    // Following the hint exactly: the same command signs in on the same keychain-less machine.
    const passphraseFile = join(scratch, 'passphrase');
    writeFileSync(passphraseFile, 'a passphrase for this server\n', { mode: 0o600 });
    const signedIn = await runCliProcess(['auth', 'pat', 'srv', '--token-stdin', '--json'], {
      env: headlessEnv({
        BDC_COMPANION_SECRET_STORE: 'encrypted-file',
        BDC_COMPANION_SECRETS_PASSPHRASE_FILE: passphraseFile,
      }),
      stdin: `${sim.pat}\n`,
    });
    expect(JSON.parse(signedIn.stdout)).toMatchObject({
      ok: true,
      user: sim.user.name,
      secretStore: 'encrypted-file',
    });
  });

  it('credentials-dir outside systemd names CREDENTIALS_DIRECTORY and the store to use instead', async () => {
    const error = await openSecretStore({
      home: join(scratch, 'fresh'),
      env: { BDC_COMPANION_SECRET_STORE: 'credentials-dir' },
    }).then(
      () => undefined,
      (failure: unknown) => failure as CompanionError,
    );
    expect(error?.code).toBe('SECRET_STORE_NO_CREDENTIALS_DIRECTORY');
    expect(error?.message).toContain('CREDENTIALS_DIRECTORY, which is not set');
    expect(error?.hint).toContain('BDC_COMPANION_SECRET_STORE=encrypted-file');
    expect(error?.hint).toContain('BDC_COMPANION_SECRETS_PASSPHRASE_FILE');
    expect(catalogueEntry('SECRET_STORE_NOT_CONFIGURED').fix).not.toMatch(/as the message says/);
  });
});
