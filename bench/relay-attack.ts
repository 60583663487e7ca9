// `npm run bench:relay-attack`: the relay under the memory attack of issue 15, as a real
// `relay run` process.
//
// An attacker on the network opens ATTACK_CONNECTIONS connections and posts 9 MiB bodies on each,
// over and over, for ATTACK_SECONDS — once without any signature (the attack as reported), once
// with a well-formed but wrong signature (the worst case: such a body must be read to the last
// byte before it can be refused). Meanwhile BDC (another address: 127.0.0.2) posts signed
// deliveries at a steady rate. Measured: the relay's RSS (idle, peak under attack, and after the
// attack has stopped) and the acknowledgement latency of the signed deliveries, against the same
// deliveries without an attack in the same run. Several runs; the medians go to bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
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

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const ATTACK_CONNECTIONS = 200;
const ATTACK_BODY_BYTES = 9 * 1024 * 1024;
const ATTACK_SECONDS = Number(process.env['BENCH_ATTACK_SECONDS'] ?? 6);
const SIGNED_RATE = 50;
/** How long the relay is left alone after the attack before its RSS is read again. */
const SETTLE_MS = 5_000;

type Attack = 'unsigned' | 'wrong-signature';

interface AttackResult {
  readonly idleRss: number;
  readonly peakRss: number;
  readonly afterRss: number;
  readonly baselineAckP50: number;
  readonly baselineAckP99: number;
  readonly ackP50: number;
  readonly ackP99: number;
  readonly signedFailed: number;
  readonly attackRequests: number;
  readonly attackBytes: number;
}

const MIB = 1024 * 1024;

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib) * 1024;
}

/**
 * Signed deliveries at `rate` per second for `seconds`, open loop, from 127.0.0.2 (BDC is another
 * host than the attacker). Returns acknowledgement latencies and how many were not acknowledged.
 */
async function signedDeliveries(
  url: string,
  secret: string,
  rate: number,
  seconds: number,
): Promise<{ acks: number[]; failed: number }> {
  const agent = new Agent({ connections: 16, connect: { localAddress: '127.0.0.2' } });
  const acks: number[] = [];
  let failed = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  try {
    for (let index = 0; index < rate * seconds; index += 1) {
      const wait = started + (index * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const body = payload(index);
      const sent = performance.now();
      inFlight.push(
        request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'x-event-key': 'repo:refs_changed',
            'x-request-id': randomUUID(),
            'x-hub-signature': sign(secret, body),
          },
          body,
          headersTimeout: 30_000,
        }).then(
          async (response) => {
            await response.body.dump();
            if (response.statusCode === 200) acks.push(performance.now() - sent);
            else failed += 1;
          },
          () => {
            failed += 1;
          },
        ),
      );
    }
    await Promise.all(inFlight);
  } finally {
    await agent.close();
  }
  return { acks, failed };
}

/**
 * The attacker runs in its own process (its own event loop and CPU time, as on another host), so
 * pushing gigabytes does not delay the signed sender's own timing here.
 */
function startAttacker(
  url: string,
  attack: Attack,
  seconds: number,
): { ready: Promise<void>; done: Promise<{ requests: number; bytes: number }> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'bench', 'relay-attacker.ts'),
      url,
      attack,
      String(seconds),
      String(ATTACK_CONNECTIONS),
      String(ATTACK_BODY_BYTES),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let text = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    if (text.startsWith('ready\n')) onReady();
  });
  const done = new Promise<{ requests: number; bytes: number }>((resolve, reject) => {
    child.once('exit', (code) => {
      onReady();
      if (code === 0)
        resolve(JSON.parse(text.split('\n')[1] ?? '') as { requests: number; bytes: number });
      else reject(new Error(`the attacker exited ${code}`));
    });
  });
  return { ready, done };
}

async function oneRun(cli: string, run: number, attack: Attack): Promise<AttackResult> {
  const secret = `bench-secret-${randomUUID()}`;
  const installationId = `attack-${run}`;
  const sim = await startSimulator({
    platformInstallationId: installationId,
    webhookSecret: secret,
  });
  const platform = sim.platform as RunningPlatform;
  try {
    const relay = await startRelayProcess(cli, platform, secret, installationId);
    const pid = relay.child.pid as number;
    try {
      const webhook = relay.url;
      // Warm-up, then the idle figure once the relay has settled.
      await signedDeliveries(webhook, secret, SIGNED_RATE, 2);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const idleRss = rssBytes(pid);
      const baseline = await signedDeliveries(webhook, secret, SIGNED_RATE, ATTACK_SECONDS);

      let peakRss = rssBytes(pid);
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, rssBytes(pid));
      }, 50);
      const attacking = startAttacker(webhook, attack, ATTACK_SECONDS);
      // The signed deliveries start with the attack (the attacker's process takes a while to load).
      await attacking.ready;
      const underAttack = await signedDeliveries(webhook, secret, SIGNED_RATE, ATTACK_SECONDS);
      const tally = await attacking.done;
      await new Promise((resolve) => setTimeout(resolve, 500));
      clearInterval(sampler);
      peakRss = Math.max(peakRss, rssBytes(pid));
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const afterRss = rssBytes(pid);
      const result: AttackResult = {
        idleRss,
        peakRss,
        afterRss,
        baselineAckP50: percentile(baseline.acks, 50),
        baselineAckP99: percentile(baseline.acks, 99),
        ackP50: percentile(underAttack.acks, 50),
        ackP99: percentile(underAttack.acks, 99),
        signedFailed: underAttack.failed + baseline.failed,
        attackRequests: tally.requests,
        attackBytes: tally.bytes,
      };
      process.stdout.write(
        `${attack} run ${run}: RSS idle ${round(idleRss / MIB)} MiB, peak ${round(peakRss / MIB)} MiB, after ${round(afterRss / MIB)} MiB; ` +
          `ack p99 ${round(result.ackP99)} ms (no attack ${round(result.baselineAckP99)} ms); ` +
          `${result.signedFailed} signed not acknowledged; attack ${tally.requests} requests, ${round(tally.bytes / MIB, 0)} MiB sent\n`,
      );
      return result;
    } finally {
      await relay.stop();
    }
  } finally {
    await sim.close();
  }
}

function section(results: Readonly<Record<Attack, readonly AttackResult[]>>): string {
  const rows = (attack: Attack): string[] => {
    const list = results[attack];
    const pick = (key: keyof AttackResult): number => median(list.map((result) => result[key]));
    const idle = pick('idleRss');
    const peak = pick('peakRss');
    const after = pick('afterRss');
    const p99 = pick('ackP99');
    const verdict = (ok: boolean): string => (ok ? 'met' : '**not met**');
    const label = attack === 'unsigned' ? 'no signature' : 'well-formed wrong signature';
    return [
      `| ${label} | RSS idle | ${round(idle / MIB)} MiB | | |`,
      `| ${label} | RSS peak under attack | ${round(peak / MIB)} MiB (${round(peak / idle, 2)}× idle) | < 250 MB | ${verdict(peak < 250e6)} |`,
      `| ${label} | RSS ${SETTLE_MS / 1000} s after the attack | ${round(after / MIB)} MiB (${round(after / idle, 2)}× idle) | ≤ 1.2× idle | ${verdict(after <= idle * 1.2)} |`,
      `| ${label} | signed ack p50 / p99, no attack | ${round(pick('baselineAckP50'))} / ${round(pick('baselineAckP99'))} ms | | |`,
      `| ${label} | signed ack p50 / p99 under attack | ${round(pick('ackP50'))} / ${round(p99)} ms (${round(p99 / pick('baselineAckP99'), 2)}× no attack) | p99 ≤ 25 ms | ${verdict(p99 <= 25)} |`,
      `| ${label} | signed deliveries not acknowledged (all runs) | ${list.reduce((sum, result) => sum + result.signedFailed, 0)} | 0 | ${verdict(list.every((result) => result.signedFailed === 0))} |`,
      `| ${label} | attack requests / MiB sent per run | ${round(pick('attackRequests'), 0)} / ${round(pick('attackBytes') / MIB, 0)} | | |`,
    ];
  };
  const perRun = (attack: Attack): string[] =>
    results[attack].map(
      (result, index) =>
        `| ${attack} | ${index + 1} | ${round(result.idleRss / MIB)} | ${round(result.peakRss / MIB)} | ${round(result.afterRss / MIB)} | ${round(result.baselineAckP99)} | ${round(result.ackP99)} | ${result.signedFailed} | ${result.attackRequests} |`,
    );
  return [
    '',
    '## Relay under a memory attack (`npm run bench:relay-attack`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg()[0]?.toFixed(1)} at the end (the machine is shared); Node ${process.version}. ` +
      `A real \`relay run\` process with its defaults (docs/security.md, "Relay listener"). The attacker opens ${ATTACK_CONNECTIONS} connections from 127.0.0.1 and posts ${ATTACK_BODY_BYTES / MIB} MiB bodies on each, again and again, for ${ATTACK_SECONDS} s; ` +
      `BDC posts signed deliveries from 127.0.0.2 at ${SIGNED_RATE}/s throughout, and the same number right before the attack (the baseline of the same run). RSS is the relay process's VmRSS, sampled every 50 ms. Medians of ${RUNS} runs per attack.`,
    '',
    '| attack | measure | median | target | |',
    '|---|---|---|---|---|',
    ...rows('unsigned'),
    ...rows('wrong-signature'),
    '',
    'Before the fix the same unsigned attack took the relay from 90 MB to 1.9 GB in 6 s (issue 15). Now a request without a well-formed signature is refused from its headers, and bodies that must be read are bounded by the intake budget (24 MiB shared + 8 MiB for small bodies) and by the per-address connection cap (64).',
    '',
    'Per run (MiB, ms):',
    '',
    '| attack | run | RSS idle | RSS peak | RSS after | ack p99 no attack | ack p99 under attack | not acknowledged | attack requests |',
    '|---|---|---|---|---|---|---|---|---|',
    ...perRun('unsigned'),
    ...perRun('wrong-signature'),
    '',
  ].join('\n');
}

function writeResults(text: string): void {
  const path = join(root, 'bench', 'RESULTS.md');
  const current = readFileSync(path, 'utf8');
  const begin = '<!-- relay-attack:begin -->';
  const end = '<!-- relay-attack:end -->';
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? `${current.slice(0, start + begin.length)}\n${text}${current.slice(stop)}`
      : `${current.trimEnd()}\n\n${begin}\n${text}${end}\n`;
  writeFileSync(path, next);
}

const cli = await bundleCli();
const results: Record<Attack, AttackResult[]> = { unsigned: [], 'wrong-signature': [] };
for (let run = 1; run <= RUNS; run += 1) {
  for (const attack of ['unsigned', 'wrong-signature'] as const) {
    results[attack].push(await oneRun(cli, run, attack));
  }
}
const text = section(results);
// BENCH_WRITE=0 for trial runs that must not touch bench/RESULTS.md.
if (process.env['BENCH_WRITE'] !== '0') writeResults(text);
process.stdout.write(text);
