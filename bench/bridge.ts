// `npm run bench:bridge`: the platform bridge's cost on this machine. The companion runs as a real
// `bridge run` process; the simulator (BDC and the platform stand-in) runs in this process, and
// the platform's calls go straight into its bridge endpoint (no extra HTTP hop).
//
// 1. Added latency: the same small GET (application-properties) made directly to BDC from this
//    process, and through the bridge (platform → companion → BDC → companion → platform), one at
//    a time; the difference of the p50s and of the p99s is what the bridge adds.
// 2. Throughput: bridged GETs with 32 in flight for a few seconds.
// 3. Memory: a 50 MiB file read through `raw`, the companion's RSS sampled every 10 ms; the growth
//    over its RSS just before is what streaming costs.
// 4. Push: bridged pushes of one file, the platform's round trip against the push's own duration
//    as the push history records it (the same engine, the same push): the difference is what the
//    bridge adds.
//
// Each scenario runs BENCH_RUNS times (5); the medians and each run go to stdout as Markdown.
// BENCH_SCENARIOS=latency,throughput,rss,push (all by default) runs only those, for a targeted
// measurement; BENCH_COMPANION_NODE_OPTIONS is passed to the companion as NODE_OPTIONS (e.g.
// `--trace-gc` or `--heap-prof` to see where its memory goes).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { Agent, request } from 'undici';
import { patKey } from '../core/auth/pat.js';
import { bridgeTokenKey } from '../core/bridge/installation-bridge.js';
import { openPinnedSecretStore } from '../core/secrets/pinned-secret-store.js';
import { openSettings } from '../core/settings/settings-file.js';
import { startSimulator } from '../sim/index.js';
import type { RunningSimulator } from '../sim/simulator-api.js';
import { simulatorInstallation } from './sim-installation.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const LATENCY_SAMPLES = 300;
const THROUGHPUT_SECONDS = 3;
const IN_FLIGHT = 32;
const BIG_BYTES = 50 * 1024 * 1024;
const PUSHES = 10;
const SCENARIOS = new Set(
  (process.env['BENCH_SCENARIOS'] ?? 'latency,throughput,rss,push').split(','),
);
const COMPANION_NODE_OPTIONS = process.env['BENCH_COMPANION_NODE_OPTIONS'];

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ] as number;
}
const median = (values: readonly number[]): number => percentile(values, 50);
/** A target's verdict; a scenario left out by BENCH_SCENARIOS is not judged. */
const verdict = (value: number, met: boolean): string =>
  Number.isNaN(value) ? 'not run' : met ? 'met' : 'not met';
const round = (value: number, digits = 2): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

async function bundleCli(): Promise<string> {
  const folder = join(root, 'node_modules', '.cache', 'bridge-bench');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    define: { __COMPANION_VERSION__: JSON.stringify(version) },
  } as const;
  await build({
    ...common,
    stdin: {
      contents:
        "import { main } from './cli/main.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n",
      resolveDir: root,
      loader: 'ts',
    },
    outfile: join(folder, 'cli.mjs'),
  });
  // The push engine starts its isomorphic-git worker from beside the bundle, as in dist/.
  await build({
    ...common,
    entryPoints: [join(root, 'core/git/iso-worker.ts')],
    outfile: join(folder, 'iso-worker.js'),
  });
  return join(folder, 'cli.mjs');
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

interface Companion {
  readonly child: ChildProcess;
  readonly home: string;
  stop(): Promise<void>;
}

async function startCompanion(cli: string, sim: RunningSimulator): Promise<Companion> {
  const work = mkdtempSync(join(tmpdir(), 'bridge-bench-'));
  const home = join(work, 'home');
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    BDC_COMPANION_HOME: home,
    BDC_COMPANION_SECRET_STORE: 'encrypted-file',
    BDC_COMPANION_SECRETS_PASSPHRASE: 'bridge bench passphrase',
    BDC_COMPANION_CACHE_DIR: join(work, 'cache'),
    ...(COMPANION_NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS: COMPANION_NODE_OPTIONS }),
  };
  const platform = sim.platform!;
  const installation = simulatorInstallation(sim, 'a1b2c3d4-0000-4000-8000-000000000001', {
    bridge: { push: [`${sim.project}/${sim.repo}:main`], readProjects: [] },
  });
  const settings = openSettings(home);
  settings.saveInstallation(installation);
  const secrets = await openPinnedSecretStore(settings, { home, env });
  await secrets.set(patKey(installation.id), sim.pat);
  await secrets.set(bridgeTokenKey(installation.id), platform.bridgeToken);
  const child = spawn(
    process.execPath,
    [cli, 'bridge', 'run', 'bench', '--json', '--log-level', 'error'],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('"bridge":"connected"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bridge exited ${code}: ${text}`)));
  });
  return {
    child,
    home,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(work, { recursive: true, force: true });
    },
  };
}

interface RunResult {
  readonly directP50: number;
  readonly directP99: number;
  readonly bridgedP50: number;
  readonly bridgedP99: number;
  readonly getsPerSecond: number;
  readonly rssBeforeMiB: number;
  readonly rssGrowthMiB: number;
  readonly bigSeconds: number;
  readonly pushRoundTripP50: number;
  readonly pushEngineP50: number;
  readonly pushAddedP50: number;
}

/** The 50 MiB `raw` read, with the companion's RSS sampled every 10 ms around it. */
async function readBig(
  companion: Companion,
  sim: RunningSimulator,
  bridged: (frame: Record<string, unknown>) => Promise<Record<string, unknown>>,
): Promise<{ readonly rssBefore: number; readonly rssMax: number; readonly bigSeconds: number }> {
  const pid = companion.child.pid!;
  const rssBefore = rssBytes(pid);
  let rssMax = rssBefore;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, rssBytes(pid));
  }, 10);
  const bigStarted = performance.now();
  const big = await bridged({
    type: 'http',
    method: 'GET',
    path: `/rest/api/latest/projects/${sim.project}/repos/big/raw/${bigFile}`,
    query: { at: 'refs/heads/main' },
  });
  const bigSeconds = (performance.now() - bigStarted) / 1000;
  clearInterval(sampler);
  rssMax = Math.max(rssMax, rssBytes(pid));
  if (big['bodyBytes'] !== bigSize) {
    throw new Error(`the big file arrived with ${String(big['bodyBytes'])} of ${bigSize} bytes`);
  }
  return { rssBefore, rssMax, bigSeconds };
}

async function runOnce(cli: string, sim: RunningSimulator, run: number): Promise<RunResult> {
  const platform = sim.platform!;
  const companion = await startCompanion(cli, sim);
  const agent = new Agent({ connect: { ca: sim.caPem }, connections: 4 });
  const path = '/rest/api/latest/application-properties';
  let counter = 0;
  const bridged = (frame: Record<string, unknown>, discard = true) =>
    platform.bridge.call(
      platform.installationId,
      { ...frame, id: `b${run}-${(counter += 1)}` },
      {
        discard,
      },
    );
  try {
    // Warm both paths (TLS sessions, the companion's dispatcher and sign-in).
    for (let index = 0; index < 20; index += 1) {
      await bridged({ type: 'http', method: 'GET', path });
      const warm = await request(`${sim.url}${path}`, {
        dispatcher: agent,
        headers: { authorization: `Bearer ${sim.pat}` },
      });
      await warm.body.dump();
    }
    const direct: number[] = [];
    const through: number[] = [];
    for (let index = 0; SCENARIOS.has('latency') && index < LATENCY_SAMPLES; index += 1) {
      let started = performance.now();
      const response = await request(`${sim.url}${path}`, {
        dispatcher: agent,
        headers: { authorization: `Bearer ${sim.pat}` },
      });
      await response.body.dump();
      direct.push(performance.now() - started);
      started = performance.now();
      const answer = await bridged({ type: 'http', method: 'GET', path });
      if (answer['status'] !== 200)
        throw new Error(`bridged GET failed: ${JSON.stringify(answer)}`);
      through.push(performance.now() - started);
    }

    let done = 0;
    const deadline =
      performance.now() + (SCENARIOS.has('throughput') ? THROUGHPUT_SECONDS * 1000 : 0);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() < deadline) {
          const answer = await bridged({ type: 'http', method: 'GET', path });
          if (answer['status'] === 200) done += 1;
        }
      }),
    );
    const getsPerSecond = SCENARIOS.has('throughput')
      ? done / ((performance.now() - started) / 1000)
      : Number.NaN;

    const { rssBefore, rssMax, bigSeconds } = SCENARIOS.has('rss')
      ? await readBig(companion, sim, bridged)
      : { rssBefore: Number.NaN, rssMax: Number.NaN, bigSeconds: Number.NaN };

    const roundTrips: number[] = [];
    const ids: string[] = [];
    for (let index = 0; SCENARIOS.has('push') && index < PUSHES; index += 1) {
      const id = `push-${run}-${index}-${Date.now()}`;
      ids.push(id);
      const pushStarted = performance.now();
      const answer = await platform.bridge.call(platform.installationId, {
        type: 'push',
        id,
        repo: `${sim.project}/${sim.repo}`,
        branch: 'main',
        message: `bench push ${run}.${index}`,
        changes: [
          {
            op: 'put',
            path: `bench/${run}-${index}.txt`,
            content: Buffer.from(`${run} ${index}\n`).toString('base64'),
          },
        ],
      });
      if (answer['ok'] !== true) throw new Error(`push failed: ${JSON.stringify(answer)}`);
      roundTrips.push(performance.now() - pushStarted);
    }
    const database = new Database(join(companion.home, 'companion.db'), { readonly: true });
    const engine = ids.map(
      (id) =>
        (
          database.prepare('SELECT duration_ms FROM push_history WHERE request_id = ?').get(id) as {
            duration_ms: number;
          }
        ).duration_ms,
    );
    database.close();
    const added = roundTrips.map((trip, index) => trip - (engine[index] as number));
    return {
      directP50: percentile(direct, 50),
      directP99: percentile(direct, 99),
      bridgedP50: percentile(through, 50),
      bridgedP99: percentile(through, 99),
      getsPerSecond,
      rssBeforeMiB: rssBefore / 1024 / 1024,
      rssGrowthMiB: (rssMax - rssBefore) / 1024 / 1024,
      bigSeconds,
      pushRoundTripP50: median(roundTrips),
      pushEngineP50: median(engine),
      pushAddedP50: median(added),
    };
  } finally {
    await agent.close();
    await companion.stop();
  }
}

let bigFile = '';
let bigSize = 0;

async function main(): Promise<void> {
  const cli = await bundleCli();
  const sim = await startSimulator();
  try {
    await sim.addRepository(sim.project, 'big', { files: 1, bytes: BIG_BYTES });
    const listing = await new Promise<string>((resolve, reject) => {
      const git = spawn('git', [
        '--git-dir',
        sim.repositoryPath(sim.project, 'big'),
        'ls-tree',
        '-r',
        '-l',
        'main',
      ]);
      let out = '';
      git.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      git.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error('ls-tree'))));
    });
    const [meta, name] = listing.trim().split('\n')[0]!.split('\t') as [string, string];
    bigFile = name.split('/').map(encodeURIComponent).join('/');
    bigSize = Number(meta.trim().split(/\s+/)[3]);
    const results: RunResult[] = [];
    for (let run = 1; run <= RUNS; run += 1) {
      results.push(await runOnce(cli, sim, run));
      process.stderr.write(`run ${run}: ${JSON.stringify(results[results.length - 1])}\n`);
    }
    const m = (pick: (result: RunResult) => number): number => round(median(results.map(pick)));
    const addedP50 = m((r) => r.bridgedP50 - r.directP50);
    const addedP99 = m((r) => r.bridgedP99 - r.directP99);
    const lines = [
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} cores, load average ${round(loadavg()[0] ?? 0, 1)} at the end; Node ${process.version}. Big file: ${bigSize} bytes. Medians of ${RUNS} runs.`,
      '',
      '| measure | median | target | |',
      '| --- | --- | --- | --- |',
      `| direct GET (application-properties), p50 / p99 | ${m((r) => r.directP50)} / ${m((r) => r.directP99)} ms | | |`,
      `| bridged GET, p50 / p99 | ${m((r) => r.bridgedP50)} / ${m((r) => r.bridgedP99)} ms (${round(median(results.map((r) => r.bridgedP50 / r.directP50)))}× direct at p50) | | |`,
      `| the bridge adds, p50 | ${addedP50} ms | ≤ 2 ms | ${verdict(addedP50, addedP50 <= 2)} |`,
      `| the bridge adds, p99 | ${addedP99} ms | ≤ 10 ms | ${verdict(addedP99, addedP99 <= 10)} |`,
      `| bridged GETs/s, 32 in flight | ${m((r) => r.getsPerSecond)} | ≥ 1,000 | ${verdict(
        m((r) => r.getsPerSecond),
        m((r) => r.getsPerSecond) >= 1000,
      )} |`,
      `| companion RSS before the 50 MiB raw read | ${m((r) => r.rssBeforeMiB)} MiB | | |`,
      `| companion RSS growth during it | ${m((r) => r.rssGrowthMiB)} MiB (read in ${m((r) => r.bigSeconds)} s) | ≤ 32 MiB | ${verdict(
        m((r) => r.rssGrowthMiB),
        m((r) => r.rssGrowthMiB) <= 32,
      )} |`,
      `| push of one file: platform round trip / engine time (history), p50 | ${m((r) => r.pushRoundTripP50)} / ${m((r) => r.pushEngineP50)} ms | | |`,
      `| the bridge adds to a push, p50 | ${m((r) => r.pushAddedP50)} ms | ≤ 10 ms | ${verdict(
        m((r) => r.pushAddedP50),
        m((r) => r.pushAddedP50) <= 10,
      )} |`,
      '',
      'Per run:',
      '',
      '| run | direct p50/p99 | bridged p50/p99 | GETs/s | RSS growth MiB | push trip/engine/added p50 |',
      '| --- | --- | --- | --- | --- | --- |',
      ...results.map(
        (r, index) =>
          `| ${index + 1} | ${round(r.directP50)} / ${round(r.directP99)} | ${round(r.bridgedP50)} / ${round(r.bridgedP99)} | ${round(r.getsPerSecond, 0)} | ${round(r.rssGrowthMiB, 1)} | ${round(r.pushRoundTripP50, 0)} / ${round(r.pushEngineP50, 0)} / ${round(r.pushAddedP50, 1)} |`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await sim.close();
  }
}

await main();
