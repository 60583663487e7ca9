import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Installation } from '../../common/models/installation.js';
import { newInstallation } from '../../core/settings/new-installation.js';
import { openSettings } from '../../core/settings/settings-file.js';

const childEntry = fileURLToPath(new URL('./relay-child.ts', import.meta.url));
const isoWorkerEntry = fileURLToPath(new URL('../../core/git/iso-worker.ts', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const bundled = new Map<string, string>();

/**
 * Bundles the CLI from the sources once per test file (esbuild, as `npm run build` does) into a
 * folder under node_modules, so npm packages resolve and a restart costs a plain `node` start
 * instead of a TypeScript loader's: the crash test restarts the relay several times.
 */
function childBundle(entry: string = childEntry): string {
  const done = bundled.get(entry);
  if (done !== undefined) return done;
  // One folder per test process and entry: the CLI bundle and, beside it, the isomorphic-git
  // worker the push engine starts from its own folder (as dist/ has it).
  const folder = join(
    repoRoot,
    'node_modules',
    '.cache',
    'relay-tests',
    `child-${process.pid}-${bundled.size}`,
  );
  const out = join(folder, 'child.mjs');
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const common = {
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
    define: { __COMPANION_VERSION__: JSON.stringify(version) },
  } as const;
  buildSync({ ...common, entryPoints: [entry], outfile: out });
  buildSync({ ...common, entryPoints: [isoWorkerEntry], outfile: join(folder, 'iso-worker.js') });
  bundled.set(entry, out);
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return out;
}

export interface RelayHome {
  readonly home: string;
  readonly credentials: string;
  readonly installation: Installation;
  /** Environment for CLI runs: config home and the read-only credentials-folder secret store. */
  readonly env: Record<string, string>;
  setSecret(secret: string): void;
  cleanup(): void;
}

/**
 * A config home with one installation pointing at `platformUrl`, its webhook secret provided the
 * way a systemd unit provides it (`LoadCredential=` → `$CREDENTIALS_DIRECTORY/<name>.webhook-secret`).
 */
export function makeRelayHome(options: {
  readonly platformUrl: string;
  readonly platformCaPem: string;
  readonly platformInstallationId: string;
  readonly secret: string;
  readonly name?: string;
}): RelayHome {
  const root = mkdtempSync(join(tmpdir(), 'relay-cli-'));
  const home = join(root, 'home');
  const credentials = join(root, 'credentials');
  mkdirSync(credentials, { recursive: true });
  const name = options.name ?? 'corp';
  const installation = newInstallation({
    name,
    baseUrl: 'https://bdc.example.internal',
    platform: {
      baseUrl: options.platformUrl,
      installationId: options.platformInstallationId,
      caPems: [options.platformCaPem],
    },
  });
  openSettings(home).saveInstallation(installation);
  const setSecret = (secret: string): void =>
    writeFileSync(join(credentials, `${name}.webhook-secret`), `${secret}\n`, { mode: 0o600 });
  setSecret(options.secret);
  return {
    home,
    credentials,
    installation,
    env: {
      BDC_COMPANION_HOME: home,
      BDC_COMPANION_SECRET_STORE: 'credentials-dir',
      CREDENTIALS_DIRECTORY: credentials,
    },
    setSecret,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface RelayProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Starts `bdc-companion relay run …` as a real child process and resolves its ready line. */
export function spawnRelay(
  args: readonly string[],
  env: Record<string, string>,
  entry: string = childEntry,
): RelayProcess {
  return spawnCompanion(['relay', 'run', ...args], env, entry);
}

/** Starts a long-running `bdc-companion … --json` command and resolves its ready line. */
export function spawnCompanion(
  argv: readonly string[],
  env: Record<string, string>,
  entry: string = childEntry,
): RelayProcess & { stdout(): string } {
  const child = spawn(process.execPath, [childBundle(entry), ...argv, '--json'], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line !== undefined) {
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch (error) {
          reject(error);
        }
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`${argv[0] ?? ''} exited (${code}) before ready: ${stdout}${stderr}`)),
    );
  });
  ready.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, ready, exited, stderr: () => stderr, stdout: () => stdout };
}
