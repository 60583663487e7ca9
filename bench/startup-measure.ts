// Start-up of the built CLI against `node -e 0`, measured interleaved in one run: used by
// `npm run bench:startup` (its own section) and `npm run bench:push` (issue 17's rows, measured in
// the same run as the push rows).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newInstallation } from '../core/settings/new-installation.js';
import { openSettings } from '../core/settings/settings-file.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(root, 'bin/bdc-companion.js');
const TIME = '/usr/bin/time';

export interface StartupRow {
  readonly label: string;
  readonly argv: readonly string[];
  /** The target, as a ratio to `node -e 0`. */
  readonly target: number | undefined;
  readonly kind: 'baseline' | 'help' | 'read-only';
}

export const STARTUP_ROWS: readonly StartupRow[] = [
  { label: '`node -e 0`', argv: ['-e', '0'], target: undefined, kind: 'baseline' },
  { label: '`--version`', argv: [CLI, '--version'], target: 1.5, kind: 'help' },
  { label: '`--help`', argv: [CLI, '--help'], target: 1.5, kind: 'help' },
  { label: '`history`', argv: [CLI, 'history'], target: 2, kind: 'read-only' },
  {
    label: '`installation list`',
    argv: [CLI, 'installation', 'list'],
    target: 2,
    kind: 'read-only',
  },
  {
    label: '`relay status bench`',
    argv: [CLI, 'relay', 'status', 'bench'],
    target: 2,
    kind: 'read-only',
  },
];

interface Sample {
  readonly ms: number;
  readonly rssKb: number | undefined;
}

/** One process start to exit; RSS from /usr/bin/time when it is installed. */
function runOnce(argv: readonly string[], home: string): Promise<Sample> {
  const useTime = existsSync(TIME);
  const command = useTime ? TIME : process.execPath;
  const args = useTime ? ['-f', 'RSS %M', process.execPath, ...argv] : [...argv];
  const withHome = argv[0] === CLI ? [...args, '--home', home] : args;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, withHome, {
      env: { PATH: process.env['PATH'], HOME: home, LC_ALL: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) {
        reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
        return;
      }
      const rss = /RSS (\d+)/.exec(stderr)?.[1];
      resolve({ ms, rssKb: rss === undefined ? undefined : Number(rss) });
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A home with one installation (with a CA, as a real one behind a private CA has). */
async function prepareHome(): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'bench-startup-'));
  const caPem = execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path.join(home, 'ca.key'),
      '-subj',
      '/CN=bench CA',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  openSettings(home).saveInstallation(
    newInstallation({ name: 'bench', baseUrl: 'https://bdc.example.test', caPems: [caPem] }),
  );
  return home;
}

export interface StartupFigure {
  readonly row: StartupRow;
  readonly ms: number;
  /** To `node -e 0` of the same run. */
  readonly ratio: number;
  readonly rssKb: number | undefined;
}

/** One warm-up round (file cache), then `runs` rounds, every row once per round. */
export async function measureStartup(runs: number): Promise<StartupFigure[]> {
  if (!existsSync(path.join(root, 'dist/cli/main.js'))) {
    throw new Error('run `npm run build` first: the benchmark measures the built CLI');
  }
  const home = await prepareHome();
  const samples = new Map<StartupRow, Sample[]>(STARTUP_ROWS.map((row) => [row, []]));
  try {
    for (const row of STARTUP_ROWS) await runOnce(row.argv, home);
    for (let round = 0; round < runs; round++) {
      for (const row of STARTUP_ROWS) samples.get(row)!.push(await runOnce(row.argv, home));
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  const baseline = median(samples.get(STARTUP_ROWS[0]!)!.map((sample) => sample.ms));
  return STARTUP_ROWS.map((row) => {
    const taken = samples.get(row)!;
    const ms = median(taken.map((sample) => sample.ms));
    return {
      row,
      ms,
      ratio: ms / baseline,
      rssKb: taken.every((sample) => sample.rssKb !== undefined)
        ? median(taken.map((sample) => sample.rssKb!))
        : undefined,
    };
  });
}
