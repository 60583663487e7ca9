// The parts both relay benchmarks share: the CLI bundled once, a real `relay run` process on a
// fresh config home, BDC-shaped signed bodies, and percentiles.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { newInstallation } from '../core/settings/new-installation.js';
import { openSettings } from '../core/settings/settings-file.js';
import type { RunningPlatform } from '../sim/simulator-api.js';

export const root = fileURLToPath(new URL('..', import.meta.url));
const REPOSITORIES = 10;
const PROCESS_TAG = randomBytes(4).toString('hex');
let sequence = 0;

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ] as number;
}

export const median = (values: readonly number[]): number => percentile(values, 50);
export const round = (value: number, digits = 1): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

export function sign(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * A `repo:refs_changed` body for one of `REPOSITORIES` repositories. Every call gives a different
 * body (its hashes carry a per-process sequence): the relay records a body it already has as a
 * replay (issue 15), and BDC never sends two events with the same body.
 */
export function payload(index: number): Buffer {
  const slug = `repo-${index % REPOSITORIES}`;
  sequence += 1;
  const hash = `${PROCESS_TAG}${sequence.toString(16)}`.padStart(40, '0').slice(-40);
  return Buffer.from(
    JSON.stringify({
      eventKey: 'repo:refs_changed',
      date: '2026-01-01T00:00:00+0000',
      actor: {
        name: 'admin',
        emailAddress: 'admin@example.com',
        id: 2,
        slug: 'admin',
        type: 'NORMAL',
      },
      repository: {
        slug,
        id: 1,
        name: slug,
        scmId: 'git',
        state: 'AVAILABLE',
        project: { key: 'BENCH', id: 1 },
      },
      changes: [
        {
          ref: { id: 'refs/heads/main', displayId: 'main', type: 'BRANCH' },
          refId: 'refs/heads/main',
          fromHash: hash,
          toHash: hash,
          type: 'UPDATE',
        },
      ],
    }),
  );
}

export async function bundleCli(): Promise<string> {
  const out = join(root, 'node_modules', '.cache', 'relay-bench', 'cli.mjs');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  await build({
    absWorkingDir: root,
    stdin: {
      contents:
        "import { main } from './cli/main.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n",
      resolveDir: root,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    define: { __COMPANION_VERSION__: JSON.stringify(version) },
  });
  return out;
}

export interface RelayUnderTest {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startRelayProcess(
  cli: string,
  platform: RunningPlatform,
  secret: string,
  installationId: string,
): Promise<RelayUnderTest> {
  const work = mkdtempSync(join(tmpdir(), 'relay-bench-'));
  const home = join(work, 'home');
  const credentials = join(work, 'credentials');
  mkdirSync(credentials);
  const installation = newInstallation({
    name: 'bench',
    baseUrl: 'https://bdc.bench.internal',
    platform: { baseUrl: platform.url, installationId, caPems: [platform.caPem] },
  });
  openSettings(home).saveInstallation(installation);
  writeFileSync(join(credentials, 'bench.webhook-secret'), secret, { mode: 0o600 });
  const child = spawn(
    process.execPath,
    [cli, 'relay', 'run', 'bench', '--listen', '127.0.0.1:0', '--json', '--log-level', 'error'],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        BDC_COMPANION_HOME: home,
        BDC_COMPANION_SECRET_STORE: 'credentials-dir',
        CREDENTIALS_DIRECTORY: credentials,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n'))
        resolve(JSON.parse(text.split('\n')[0] as string) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`relay exited ${code}: ${text}`)));
  });
  return {
    url: String(ready['url']),
    child,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(work, { recursive: true, force: true });
    },
  };
}
