// Memory of a running companion, measured from outside it: a `serve` daemon (the engine behind
// the UI's test push, with its isomorphic-git worker) and a `relay run` daemon, each a process of
// the built CLI. This (bench) process only drives them and reads their VmRSS from /proc, so no
// figure includes the harness or the simulator. Used by bench/push.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface DaemonProcess {
  readonly child: ChildProcess;
  /** The first JSON line the command printed (`--json` ready document). */
  readonly ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/** VmRSS of a process in KiB (Linux), or undefined once it is gone. */
export function rssKb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Starts a daemon of the built CLI; resolves at its ready line, or at the first line holding `until`. */
export async function startDaemon(
  cli: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  until?: string,
): Promise<DaemonProcess> {
  // BENCH_DAEMON_NODE_ARGS='--heap-prof' (or V8 flags) applies to each daemon started here.
  const nodeArgs = process.env['BENCH_DAEMON_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, cli, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (process.env['BENCH_DAEMON_STDERR'] === '1') process.stderr.write(chunk);
    errors = (errors + chunk.toString()).slice(-4000);
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const lines = text.split('\n').slice(0, -1);
      const wanted = until === undefined ? lines[0] : lines.find((line) => line.includes(until));
      if (wanted !== undefined) resolve(JSON.parse(wanted) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${text} ${errors}`)));
  });
  return {
    child,
    ready,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The process's RSS once it has settled: the median of samples over `ms`. */
export async function idleRssKb(pid: number, ms = 2000): Promise<number> {
  const samples: number[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = rssKb(pid);
    if (value !== undefined) samples.push(value);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

/**
 * Runs `work` while sampling the process's RSS every 10 ms: answers how far above its RSS right
 * before the work it peaked (KiB), and the work's wall time.
 */
export async function addedPeakKb(
  pid: number,
  work: () => Promise<void>,
): Promise<{ addedKb: number; beforeKb: number; ms: number }> {
  const before = rssKb(pid) ?? Number.NaN;
  let peak = before;
  const sampler = setInterval(() => {
    const value = rssKb(pid);
    if (value !== undefined && value > peak) peak = value;
  }, 10);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - started;
  peak = Math.max(peak, rssKb(pid) ?? 0);
  return { addedKb: peak - before, beforeKb: before, ms };
}

/** One `testPush` through a `serve` daemon's HTTP API (what the UI's test push sends). */
export async function servePush(
  ready: Record<string, unknown>,
  request: Record<string, unknown>,
): Promise<{ engine: string; kind: string }> {
  const url = new URL(String(ready['url']));
  const token = /token=([^&]+)/.exec(url.hash)?.[1] ?? '';
  const response = await fetch(`${url.origin}/api/testPush`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-companion-token': token },
    body: JSON.stringify([request]),
  });
  const envelope = (await response.json()) as {
    ok: boolean;
    value?: { engine: string; kind: string };
    error?: { code: string; message: string };
  };
  if (!envelope.ok || envelope.value === undefined) {
    throw new Error(`testPush failed: ${envelope.error?.code} ${envelope.error?.message}`);
  }
  return envelope.value;
}
