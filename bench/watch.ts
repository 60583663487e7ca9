// `npm run bench:watch`: watch mode against the simulator, in this process.
//
// 1. Latency: time from a `git push` (the moment the push command starts) to
//    the platform stand-in receiving the event — through watch mode (interval 5 s, BDC's webhook
//    pointing nowhere) and, as the baseline measured in the same run, through BDC's webhook and
//    the relay. Pushes start at random moments, so they fall anywhere in the polling interval.
// 2. Cost: BDC requests per minute while watching 100 repositories at the same interval, counted
//    at the watch's own dispatcher (and the TCP connections it opened).
// 3. How to read refs: git's ref advertisement (`info/refs?service=git-upload-pack`) against
//    BDC's REST (`/branches`, paged; the simulator has no `/tags`, which BDC would need too) for a
//    repository with 41 branches and 10 tags:
//    requests, bytes and time per read, medians of 25 reads each.
//
// Results go to bench/RESULTS.md by hand (the figures are printed as a Markdown table).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Agent, request, type Dispatcher } from 'undici';
import type { Installation } from '../common/models/installation.js';
import { patAuthorization } from '../core/auth/pat.js';
import { createBdcClient } from '../core/bdc/bdc-client.js';
import { installationNetworkOptions } from '../core/net/installation-network.js';
import { createDispatcher } from '../core/net/network-factory.js';
import { startInstallationRelay } from '../core/relay/installation-relay.js';
import { openSecretStore } from '../core/secrets/open-secret-store.js';
import { newInstallation } from '../core/settings/new-installation.js';
import { openSettings } from '../core/settings/settings-file.js';
import { openDatabase } from '../core/storage/database.js';
import { configureWatch } from '../core/use-cases/configure-watch.js';
import { readRefs } from '../core/watch/ref-advertisement.js';
import { startRefWatcher } from '../core/watch/ref-watcher.js';
import { WatchStore } from '../core/watch/watch-store.js';
import { startSimulator } from '../sim/index.js';
import type { RunningSimulator } from '../sim/simulator-api.js';

const run = promisify(execFile);
const INTERVAL_MS = 5_000;
const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 16);
const COST_REPOSITORIES = 100;
const COST_SECONDS = Number(process.env['BENCH_COST_SECONDS'] ?? 60);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const median = (values: readonly number[]): number => percentile(values, 50);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function gitEnv(sim: RunningSimulator, home: string): NodeJS.ProcessEnv {
  const config: [string, string][] = [
    ['http.sslCAInfo', sim.caFile],
    ['http.extraHeader', `Authorization: Bearer ${sim.pat}`],
    ['user.name', 'Bench'],
    ['user.email', 'bench@example.com'],
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

async function clone(sim: RunningSimulator, work: string, slug: string) {
  const env = gitEnv(sim, work);
  const dir = join(work, slug);
  await run('git', ['clone', '--quiet', `${sim.url}/scm/${sim.project}/${slug}.git`, dir], { env });
  let counter = 0;
  return {
    /** Commits, then pushes; returns when the push started (BDC may deliver before it returns). */
    async push(): Promise<number> {
      counter += 1;
      writeFileSync(join(dir, 'bench.txt'), `${counter}\n`);
      await run('git', ['-C', dir, 'add', 'bench.txt'], { env });
      await run('git', ['-C', dir, 'commit', '--quiet', '-m', `bench ${counter}`], { env });
      const started = Date.now();
      await run('git', ['-C', dir, 'push', '--quiet', 'origin', 'HEAD:main'], { env });
      return started;
    },
    git: (...args: string[]) => run('git', ['-C', dir, ...args], { env }),
  };
}

/** A dispatcher to BDC that counts requests and opened connections. */
function countingDispatcher(installation: Installation): {
  dispatcher: Dispatcher;
  counts: { requests: number; connections: number };
} {
  const counts = { requests: 0, connections: 0 };
  const base = createDispatcher({ ...installationNetworkOptions(installation), env: {} });
  base.on('connect', () => (counts.connections += 1));
  const dispatcher = base.compose((dispatch) => (options, handler) => {
    counts.requests += 1;
    return dispatch(options, handler);
  });
  return { dispatcher, counts };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-watch-'));
  const home = join(root, 'home');
  const work = join(root, 'work');
  const sim = await startSimulator({ dataDir: join(root, 'sim') });
  const platform = sim.platform!;
  try {
    const env = {
      BDC_COMPANION_SECRET_STORE: 'encrypted-file',
      BDC_COMPANION_SECRETS_PASSPHRASE: 'bench passphrase',
    };
    const base = newInstallation({
      name: 'bench',
      baseUrl: sim.url,
      caPems: [sim.caPem],
      allowLoopback: true,
      platform: {
        baseUrl: platform.url,
        installationId: platform.installationId,
        caPems: [platform.caPem],
      },
    });
    const installation0: Installation = {
      ...base,
      auth: { kind: 'pat', user: sim.user.name, verifiedAt: new Date().toISOString() },
    };
    openSettings(home).saveInstallation(installation0);
    const secrets = await openSecretStore({ home, env });
    await secrets.set({ installationId: base.id, kind: 'pat' }, sim.pat);
    await secrets.set({ installationId: base.id, kind: 'webhook-secret' }, platform.webhookSecret);
    await sim.addRepository(sim.project, 'watched', { files: 3, bytes: 300 });
    await sim.addRepository(sim.project, 'hooked', { files: 3, bytes: 300 });
    const installation = configureWatch(openSettings(home), 'bench', {
      kind: 'on',
      repositories: [`${sim.project}/watched`],
      projects: [],
      intervalSeconds: INTERVAL_MS / 1000,
    });

    // --- 1. Latency -------------------------------------------------------------------------
    const database = openDatabase(home);
    const relay = await startInstallationRelay(installation, {
      database,
      secrets,
      env: {},
      listen: { host: '127.0.0.1', port: 0 },
    });
    const hook = async (slug: string, url: string): Promise<void> => {
      const agent = new Agent({ connect: { ca: sim.caPem } });
      const response = await request(
        `${sim.url}/rest/api/1.0/projects/${sim.project}/repos/${slug}/webhooks`,
        {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Bearer ${sim.pat}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            name: 'Ankra',
            url,
            events: ['repo:refs_changed'],
            active: true,
            configuration: { secret: platform.webhookSecret },
          }),
        },
      );
      await response.body.text();
      await agent.close();
    };
    await hook('watched', 'http://127.0.0.1:9/webhooks/bitbucket-dc/unreachable');
    await hook('hooked', relay.webhookUrl);
    await relay.watch!.nextRound();
    const latency = async (slug: string): Promise<number[]> => {
      const copy = await clone(sim, work, slug);
      const samples: number[] = [];
      for (let index = 0; index < SAMPLES; index += 1) {
        await sleep(Math.random() * INTERVAL_MS);
        platform.clearDeliveries();
        const pushed = await copy.push();
        const [delivery] = await platform.waitForDeliveries(1, INTERVAL_MS * 4);
        samples.push(delivery!.receivedAt - pushed);
        process.stderr.write(`${slug} ${index + 1}/${SAMPLES}: ${samples.at(-1)} ms\n`);
      }
      return samples;
    };
    const watchLatency = await latency('watched');
    const hookLatency = await latency('hooked');
    await relay.close();
    database.close();

    // --- 3. info/refs against REST ----------------------------------------------------------
    const refsRepo = await clone(sim, join(work, 'refs'), 'watched');
    const branches = Array.from({ length: 40 }, (_, index) => `HEAD:refs/heads/feature-${index}`);
    await refsRepo.git('push', '--quiet', 'origin', ...branches);
    for (let index = 0; index < 10; index += 1) await refsRepo.git('tag', `v${index}`);
    await refsRepo.git('push', '--quiet', 'origin', '--tags');
    const authorization = patAuthorization(sim.pat, sim.user.name);
    const compare = countingDispatcher(installation);
    const rest = createBdcClient({
      baseUrl: sim.url,
      authorization,
      dispatcher: compare.dispatcher,
    });
    const cloneUrl = `${sim.url}/scm/${sim.project.toLowerCase()}/watched.git`;
    const measure = async (read: () => Promise<number>) => {
      const times: number[] = [];
      let bytes = 0;
      const before = compare.counts.requests;
      for (let index = 0; index < 25; index += 1) {
        const started = performance.now();
        bytes = await read();
        times.push(performance.now() - started);
      }
      return { ms: median(times), bytes, requests: (compare.counts.requests - before) / 25 };
    };
    const advertisement = await measure(async () => {
      const { refs } = await readRefs({ dispatcher: compare.dispatcher, authorization }, cloneUrl);
      return JSON.stringify([...refs]).length;
    });
    const advertisementBytes = await (async () => {
      const response = await request(`${cloneUrl}/info/refs?service=git-upload-pack`, {
        dispatcher: compare.dispatcher,
        headers: { authorization: await authorization.header() },
      });
      return (await response.body.arrayBuffer()).byteLength;
    })();
    const restRead = await measure(async () => {
      let size = 0;
      // The simulator has no `/tags` resource: BDC's REST needs it too, so this is a lower bound.
      for (const kind of ['branches']) {
        const path = `/rest/api/1.0/projects/${sim.project}/repos/watched/${kind}`;
        let start = 0;
        for (;;) {
          const response = await rest.request<{ isLastPage: boolean; nextPageStart?: number }>({
            path,
            query: { start },
          });
          size += JSON.stringify(response.body).length;
          if (response.body.isLastPage !== false || response.body.nextPageStart === undefined)
            break;
          start = response.body.nextPageStart;
        }
      }
      return size;
    });
    await compare.dispatcher.close();

    // --- 2. Cost for 100 repositories -------------------------------------------------------
    const keys: string[] = [];
    for (let index = 0; index < COST_REPOSITORIES; index += 1) {
      const slug = `cost-${index}`;
      await sim.addRepository(sim.project, slug, { files: 1, bytes: 50 });
      keys.push(`${sim.project}/${slug}`);
    }
    const costDatabase = openDatabase(home);
    const counted = countingDispatcher(installation);
    const costClient = createBdcClient({
      baseUrl: sim.url,
      authorization,
      dispatcher: counted.dispatcher,
      rateLimitRetries: 0,
    });
    const store = new WatchStore(costDatabase);
    const watcher = startRefWatcher({
      installationId: installation.id,
      store,
      settings: () => ({ repositories: keys, projects: [], intervalSeconds: INTERVAL_MS / 1000 }),
      bdc: costClient,
      refs: { dispatcher: counted.dispatcher, authorization },
      user: sim.user.name,
      secret: async () => platform.webhookSecret,
      enqueue: async (work) => {
        const outcomes = costDatabase.transaction(() => work())();
        return outcomes.map(() => ({ kind: 'duplicate' as const, requestId: '' }));
      },
    });
    // The first round (repository details and baselines) is set-up, not the steady cost.
    await watcher.nextRound();
    const startRequests = counted.counts.requests;
    const started = Date.now();
    await sleep(COST_SECONDS * 1000);
    const perMinute = ((counted.counts.requests - startRequests) * 60_000) / (Date.now() - started);
    await watcher.stop();
    await counted.dispatcher.close();
    costDatabase.close();

    const load = loadavg()
      .map((value) => value.toFixed(1))
      .join(' ');
    const round = (value: number): string => value.toFixed(0);
    console.log(`
### Watch mode (\`npm run bench:watch\`, ${new Date().toISOString()}, ${cpus().length} cores, load ${load})

| push → platform (${SAMPLES} pushes each, at random moments) | p50 | p95 | max |
| --- | ---: | ---: | ---: |
| watch mode, interval ${INTERVAL_MS / 1000} s | ${round(median(watchLatency))} ms | ${round(percentile(watchLatency, 95))} ms | ${round(Math.max(...watchLatency))} ms |
| BDC webhook → relay (baseline, same run) | ${round(median(hookLatency))} ms | ${round(percentile(hookLatency, 95))} ms | ${round(Math.max(...hookLatency))} ms |

| cost, ${COST_REPOSITORIES} repositories watched at ${INTERVAL_MS / 1000} s for ${COST_SECONDS} s | figure |
| --- | ---: |
| BDC requests per minute | ${round(perMinute)} (target ≤ ${(COST_REPOSITORIES * 60_000) / INTERVAL_MS}) |
| per repository per interval | ${((perMinute * INTERVAL_MS) / 60_000 / COST_REPOSITORIES).toFixed(2)} |
| TCP connections opened to BDC (whole run, set-up included) | ${counted.counts.connections} |

| reading the refs of a repository with 41 branches and 10 tags (median of 25) | requests | bytes | time |
| --- | ---: | ---: | ---: |
| git ref advertisement (\`info/refs?service=git-upload-pack\`) | ${advertisement.requests} | ${advertisementBytes} | ${advertisement.ms.toFixed(1)} ms |
| BDC REST, \`/branches\` alone (default page size; \`/tags\` would add at least one more) | ${restRead.requests} | ${restRead.bytes} (JSON) | ${restRead.ms.toFixed(1)} ms |
`);
  } finally {
    await sim.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
