// `npm run bench:startup`: how long the built CLI takes from process start to exit, against
// `node -e 0` measured in the same run (interleaved, so load on the machine hits both alike).
// Medians of BENCH_RUNS (default 7) runs; peak RSS through /usr/bin/time. Writes the start-up
// section of bench/RESULTS.md.
//
//   BENCH_RUNS=7 BENCH_PRINT_ONLY=1 npx tsx bench/startup.ts
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newInstallation } from '../core/settings/new-installation.js';
import { openSettings } from '../core/settings/settings-file.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Math.max(5, Number(process.env['BENCH_RUNS'] ?? 7));
const CLI = path.join(root, 'bin/bdc-companion.js');
const TIME = '/usr/bin/time';

interface Row {
  readonly label: string;
  readonly argv: readonly string[];
  /** The issue's target, as a ratio to `node -e 0`. */
  readonly target: number | undefined;
  readonly kind: 'baseline' | 'help' | 'read-only';
}

const ROWS: readonly Row[] = [
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

function median(values: readonly number[]): number {
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

async function main(): Promise<void> {
  if (!existsSync(path.join(root, 'dist/cli/main.js'))) {
    throw new Error('run `npm run build` first: the benchmark measures the built CLI');
  }
  const home = await prepareHome();
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const samples = new Map<Row, Sample[]>(ROWS.map((row) => [row, []]));
  try {
    // One warm-up round (file cache), then RUNS rounds, every row once per round.
    for (const row of ROWS) await runOnce(row.argv, home);
    for (let round = 0; round < RUNS; round++) {
      for (const row of ROWS) samples.get(row)!.push(await runOnce(row.argv, home));
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  const loadAfter = os.loadavg();
  const baseline = median(samples.get(ROWS[0]!)!.map((sample) => sample.ms));
  const lines = [
    '| command | median ms | × `node -e 0` | target | peak RSS MiB | met |',
    '| ------- | --------: | ------------: | -----: | -----------: | --- |',
  ];
  for (const row of ROWS) {
    const runs = samples.get(row)!;
    const ms = median(runs.map((sample) => sample.ms));
    const rss = runs.every((sample) => sample.rssKb !== undefined)
      ? (median(runs.map((sample) => sample.rssKb!)) / 1024).toFixed(0)
      : '—';
    const ratio = ms / baseline;
    const met = row.target === undefined ? '—' : ratio <= row.target ? 'met' : 'missed';
    lines.push(
      `| ${row.label} | ${ms.toFixed(0)} | ${ratio.toFixed(2)} | ${row.target === undefined ? '—' : `≤ ${row.target}×`} | ${rss} | ${met} |`,
    );
  }
  const load = (values: number[]) => values.map((value) => value.toFixed(1)).join('/');
  const cpu = os.cpus();
  const section = [
    '<!-- startup:begin -->',
    '',
    '## Start-up (`npm run bench:startup`)',
    '',
    `Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}. Load average ${load(loadBefore)} at the start and ${load(loadAfter)} at the end: the machine is shared with other engineers' builds and tests, so absolute times are noisy; each ratio is to \`node -e 0\` measured interleaved in the same run.`,
    '',
    `The built CLI (\`bin/bdc-companion.js\`), whole process from spawn to exit, a home holding one installation with a private CA. Medians of ${RUNS} runs after one warm-up round.`,
    '',
    ...lines,
    '',
    '<!-- startup:end -->',
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (process.env['BENCH_PRINT_ONLY']) return;
  const resultsPath = path.join(root, 'bench/RESULTS.md');
  const current = await readFile(resultsPath, 'utf8');
  const pattern = /<!-- startup:begin -->[\s\S]*?<!-- startup:end -->/;
  const next = pattern.test(current)
    ? current.replace(pattern, section)
    : `${current.trimEnd()}\n\n${section}\n`;
  await writeFile(resultsPath, next);
}

await main();
