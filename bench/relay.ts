// `npm run bench:relay`: the webhook relay's speed on this machine, as a real `relay run`
// process between a load generator (standing in for BDC) and the simulator's platform stand-in.
//
// 1. Durable ingest: closed-loop senders post signed deliveries as fast as the relay
//    acknowledges them; every acknowledgement follows a synchronous=FULL commit.
// 2. Acknowledgement latency at a steady 100 deliveries/s (open loop: sends are not held back by
//    slow answers), p50 and p99.
// 3. End-to-end: send → the platform stand-in has the delivery, through the relay, against the
//    same deliveries posted straight to the platform (the platform's own time). The difference of
//    the medians is what forwarding adds.
//
// Each scenario runs several times on a fresh config home; the medians go to bench/RESULTS.md.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { startSimulator } from '../sim/index.js';
import type { RunningPlatform } from '../sim/simulator-api.js';
import {
  bundleCli,
  median,
  payload,
  percentile,
  root,
  round,
  sign,
  startRelayProcess,
} from './relay-process.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const INGEST_COUNT = Number(process.env['BENCH_INGEST'] ?? 3000);
const INGEST_CONCURRENCY = 32;
const STEADY_RATE = 100;
const STEADY_SECONDS = Number(process.env['BENCH_STEADY_SECONDS'] ?? 10);

interface RunResult {
  /** Baseline: one durable SQLite commit (WAL, synchronous=FULL) on the same disk, nothing else. */
  readonly commitP50: number;
  readonly commitP99: number;
  readonly ingestPerSecond: number;
  readonly ackP50: number;
  readonly ackP99: number;
  readonly endToEndP50: number;
  readonly endToEndP99: number;
  readonly directP50: number;
  readonly directP99: number;
  readonly addedP50: number;
}

async function post(
  agent: Agent,
  url: string,
  secret: string,
  index: number,
  requestId: string,
): Promise<number> {
  const body = payload(index);
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-event-key': 'repo:refs_changed',
      'x-request-id': requestId,
      'x-hub-signature': sign(secret, body),
    },
    body,
  });
  await response.body.dump();
  return response.statusCode;
}

/** Closed loop: `concurrency` senders, each sending the next delivery once the last is acknowledged. */
async function ingest(agent: Agent, url: string, secret: string, count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: INGEST_CONCURRENCY }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        const status = await post(agent, url, secret, index, randomUUID());
        if (status !== 200) throw new Error(`relay answered ${status}`);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/**
 * Open loop at `rate` per second. Returns per-delivery acknowledgement latency and send times by
 * request id (for end-to-end against the platform's arrival times).
 */
async function steady(
  agent: Agent,
  url: string,
  secret: string,
  rate: number,
  seconds: number,
): Promise<{ acks: number[]; sentAt: Map<string, number> }> {
  const total = rate * seconds;
  const acks: number[] = [];
  const sentAt = new Map<string, number>();
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const requestId = randomUUID();
    const sendStart = performance.now();
    // The platform stamps arrivals with Date.now(): the same clock here, or the figures drift.
    sentAt.set(requestId, Date.now());
    inFlight.push(
      post(agent, url, secret, index, requestId).then((status) => {
        if (status !== 200 && status !== 202) throw new Error(`answered ${status}`);
        acks.push(performance.now() - sendStart);
      }),
    );
  }
  await Promise.all(inFlight);
  return { acks, sentAt };
}

async function waitForPlatform(
  platform: RunningPlatform,
  ids: ReadonlySet<string>,
  timeoutMs: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const arrived = new Map<string, number>();
    for (const delivery of platform.deliveries()) {
      const id = delivery.headers['x-request-id'];
      if (id !== undefined && ids.has(id) && delivery.signatureValid && !arrived.has(id)) {
        arrived.set(id, delivery.receivedAt);
      }
    }
    if (arrived.size === ids.size) return arrived;
    if (Date.now() > deadline)
      throw new Error(`only ${arrived.size} of ${ids.size} deliveries reached the platform`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function endToEnd(
  sentAt: ReadonlyMap<string, number>,
  arrived: ReadonlyMap<string, number>,
): number[] {
  return [...sentAt].map(([id, sent]) => (arrived.get(id) as number) - sent);
}

/**
 * The floor under every acknowledgement: a single-row commit that must reach the disk, measured
 * on the same file system right before the run (the disk is shared, so it varies between runs).
 */
function commitLatency(count = 300): { p50: number; p99: number } {
  const directory = mkdtempSync(join(tmpdir(), 'relay-bench-fsync-'));
  const database = new Database(join(directory, 'baseline.db'));
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)');
    const insert = database.prepare('INSERT INTO t (body) VALUES (?)');
    const body = payload(1);
    const times: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const started = performance.now();
      insert.run(body);
      times.push(performance.now() - started);
    }
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    database.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function oneRun(cli: string, run: number): Promise<RunResult> {
  const commit = commitLatency();
  const secret = `bench-secret-${randomUUID()}`;
  const installationId = `bench-${run}`;
  const sim = await startSimulator({
    platformInstallationId: installationId,
    webhookSecret: secret,
  });
  const platform = sim.platform as RunningPlatform;
  const agent = new Agent({
    connections: 64,
    pipelining: 1,
    keepAliveTimeout: 10_000,
    connect: { ca: platform.caPem },
  });
  try {
    const relay = await startRelayProcess(cli, platform, secret, installationId);
    let ingestPerSecond: number;
    let acks: number[];
    let viaRelay: number[];
    try {
      await ingest(agent, relay.url, secret, 200); // warm-up: connections, JIT, SQLite pages
      ingestPerSecond = await ingest(agent, relay.url, secret, INGEST_COUNT);
      // Let the forwarder drain the burst before measuring latency at a steady rate.
      await platform.waitForDeliveries(INGEST_COUNT + 200, 120_000);
      platform.clearDeliveries();
      const steadyRun = await steady(agent, relay.url, secret, STEADY_RATE, STEADY_SECONDS);
      acks = steadyRun.acks;
      const arrived = await waitForPlatform(platform, new Set(steadyRun.sentAt.keys()), 60_000);
      viaRelay = endToEnd(steadyRun.sentAt, arrived);
    } finally {
      await relay.stop();
    }
    // The platform's own time: the same deliveries posted straight to it, at the same rate.
    platform.clearDeliveries();
    const direct = await steady(
      agent,
      `${platform.url}/webhooks/bitbucket-dc/${installationId}`,
      secret,
      STEADY_RATE,
      STEADY_SECONDS,
    );
    const directArrived = await waitForPlatform(platform, new Set(direct.sentAt.keys()), 30_000);
    const directTimes = endToEnd(direct.sentAt, directArrived);
    const result: RunResult = {
      commitP50: commit.p50,
      commitP99: commit.p99,
      ingestPerSecond,
      ackP50: percentile(acks, 50),
      ackP99: percentile(acks, 99),
      endToEndP50: percentile(viaRelay, 50),
      endToEndP99: percentile(viaRelay, 99),
      directP50: percentile(directTimes, 50),
      directP99: percentile(directTimes, 99),
      addedP50: percentile(viaRelay, 50) - percentile(directTimes, 50),
    };
    process.stdout.write(
      `run ${run}: commit p50 ${round(commit.p50)} ms p99 ${round(commit.p99)} ms; ingest ${round(result.ingestPerSecond, 0)}/s; ack p50 ${round(result.ackP50)} ms p99 ${round(result.ackP99)} ms; ` +
        `end-to-end p50 ${round(result.endToEndP50)} ms (direct ${round(result.directP50)} ms, added ${round(result.addedP50)} ms)\n`,
    );
    return result;
  } finally {
    await agent.close();
    await sim.close();
  }
}

function writeResults(results: readonly RunResult[]): string {
  const pick = (key: keyof RunResult): number => median(results.map((result) => result[key]));
  const ingestRate = pick('ingestPerSecond');
  const ackP99 = pick('ackP99');
  const added = pick('addedP50');
  const verdict = (ok: boolean): string => (ok ? 'met' : '**not met**');
  const section = [
    '',
    '## Webhook relay (`npm run bench:relay`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg()[0]?.toFixed(1)} at the end (the machine is shared); Node ${process.version}. ` +
      `The relay runs as a real \`relay run\` process (SQLite WAL, synchronous=FULL: each acknowledgement follows a durable commit, group-committed); BDC is a load generator over HTTP keep-alive; the platform is the simulator's HTTPS stand-in. Medians of ${results.length} runs, each on a fresh config home.`,
    '',
    '| measure | median | target | |',
    '|---|---|---|---|',
    `| durable ingest, ${INGEST_CONCURRENCY} concurrent senders, ${INGEST_COUNT} deliveries | ${round(ingestRate, 0)} deliveries/s | ≥ 300/s | ${verdict(ingestRate >= 300)} |`,
    `| baseline: one durable SQLite commit on this disk, p50 / p99 | ${round(pick('commitP50'))} / ${round(pick('commitP99'))} ms | | |`,
    `| acknowledgement latency at ${STEADY_RATE}/s, p50 | ${round(pick('ackP50'))} ms (${round(pick('ackP50') / pick('commitP50'), 2)}× the commit) | | |`,
    `| acknowledgement latency at ${STEADY_RATE}/s, p99 | ${round(ackP99)} ms (${round(ackP99 / pick('commitP99'), 2)}× the commit) | ≤ 25 ms | ${verdict(ackP99 <= 25)} |`,
    `| end-to-end send → platform through the relay, p50 / p99 | ${round(pick('endToEndP50'))} / ${round(pick('endToEndP99'))} ms | | |`,
    `| send → platform directly (the platform's own time), p50 / p99 | ${round(pick('directP50'))} / ${round(pick('directP99'))} ms | | |`,
    `| forwarding adds, p50 | ${round(added)} ms | ≤ 5 ms | ${verdict(added <= 5)} |`,
    '',
    'Each acknowledgement waits for one durable commit: its floor is the commit baseline above, and a delivery arriving during ' +
      "another batch's commit waits for that one too (about 2× the commit at the median). The tail is the shared machine's: " +
      `the relay process competes with the other engineers' builds and tests (load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores) and the disk's own commit p99 moves between runs; ` +
      "where the p99 target is not met here, compare it with the per-run commit p99 below. Forwarding starts while the delivery commits (when its repository has nothing queued), so what it adds is the relay's own work, not the fsync.",
    '',
    'Per run:',
    '',
    '| run | commit p50 / p99 | ingest/s | ack p50 | ack p99 | end-to-end p50 | direct p50 | added p50 |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (result, index) =>
        `| ${index + 1} | ${round(result.commitP50)} / ${round(result.commitP99)} | ${round(result.ingestPerSecond, 0)} | ${round(result.ackP50)} | ${round(result.ackP99)} | ${round(result.endToEndP50)} | ${round(result.directP50)} | ${round(result.addedP50)} |`,
    ),
    '',
  ].join('\n');
  const path = join(root, 'bench', 'RESULTS.md');
  const text = readFileSync(path, 'utf8');
  const begin = '<!-- relay:begin -->';
  const end = '<!-- relay:end -->';
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error('bench/RESULTS.md lacks the relay markers');
  writeFileSync(path, `${text.slice(0, start + begin.length)}\n${section}${text.slice(stop)}`);
  return section;
}

const cli = await bundleCli();
const results: RunResult[] = [];
for (let run = 1; run <= RUNS; run += 1) results.push(await oneRun(cli, run));
// BENCH_WRITE=0 for trial runs that must not touch bench/RESULTS.md.
if (process.env['BENCH_WRITE'] === '0') process.stdout.write(JSON.stringify(results) + '\n');
else process.stdout.write(writeResults(results));
