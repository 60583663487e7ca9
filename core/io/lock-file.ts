import { randomBytes } from 'node:crypto';
import { linkSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { readBoundedFileSync } from './bounded-file.js';

/**
 * Who holds a lock file. The pid alone is not enough: after a crash the pid may be reused by an
 * unrelated process, so the owner's start time (from /proc, where there is one) must match too.
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** The owner's start time in clock ticks since boot (Linux `/proc/<pid>/stat` field 22), or null. */
  readonly started: number | null;
  /** Unique per acquisition: tells this holder's lock from a later one at the same path. */
  readonly token: string;
  readonly at: string;
}

export type LockAttempt =
  | { readonly kind: 'acquired'; readonly release: () => void }
  | { readonly kind: 'held'; readonly owner: LockOwner | undefined };

/**
 * The one lock-file implementation of the companion (settings, the clone cache's repository
 * locks, log rotation): a file created atomically with its owner already written in it, so a lock
 * file is never empty or half-written; a lock whose owner is gone — `kill -9`, a crash, a reboot —
 * is taken over at once instead of after a timeout.
 *
 * Why not `proper-lockfile`: it decides staleness by the lock's age alone (an mtime it refreshes
 * every few seconds, stale after 10 s by default and never under 2 s), so a killed command still
 * locks everyone out for that long, and its only synchronous form does not wait. The settings API
 * is synchronous. Measured in test/core/io/lock-file.test.ts; see docs/security.md ("Locks").
 *
 * Liveness can only be known on this host: a lock from another host (a config home on a network
 * share) is treated as held, and the error names its owner so a person can decide.
 */
export function tryLock(path: string): LockAttempt {
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    started: processStartTime(process.pid),
    token: randomBytes(12).toString('hex'),
    at: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (createWithContent(path, owner)) {
      return { kind: 'acquired', release: () => releaseIfOurs(path, owner.token) };
    }
    const current = readOwner(path);
    if (current === 'missing') continue; // released between the two calls
    if (current !== undefined && ownerAlive(current)) return { kind: 'held', owner: current };
    // Dead owner, or content no version of this code writes (it links a complete file): take over.
    takeOver(path, current);
  }
  const current = readOwner(path);
  return { kind: 'held', owner: current === 'missing' ? undefined : current };
}

/** A short human description of an owner, for errors and hints. */
export function describeOwner(owner: LockOwner | undefined): string {
  if (owner === undefined) return 'an unknown process';
  const where = owner.host === hostname() ? '' : ` on ${owner.host}`;
  return `process ${owner.pid}${where} (since ${owner.at})`;
}

/** True while the owner process runs: same host, the pid exists, and it is the same process. */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (!pidExists(owner.pid)) return false;
  if (owner.started === null) return true;
  const started = processStartTime(owner.pid);
  // A different start time means the pid was reused by another process after the owner died.
  return started === null || started === owner.started;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The process's start time in clock ticks after boot (`/proc/<pid>/stat`, field 22; the command
 * name in field 2 may contain spaces and parentheses, so fields are counted after the last ')').
 * Null where there is no /proc (macOS, Windows): liveness then rests on the pid alone.
 */
export function processStartTime(pid: number): number | null {
  try {
    const stat = readBoundedFileSync(`/proc/${pid}/stat`, 'internal').toString('utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isSafeInteger(value) ? value : null;
  } catch {
    return null;
  }
}

function createWithContent(path: string, owner: LockOwner): boolean {
  const staging = `${path}.${owner.token}.new`;
  writeFileSync(staging, `${JSON.stringify(owner)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails with EEXIST when the lock exists: creation and content in one atomic step.
    linkSync(staging, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(staging);
  }
}

function readOwner(path: string): LockOwner | undefined | 'missing' {
  let text: string;
  try {
    text = readBoundedFileSync(path, 'internal').toString('utf8');
  } catch (error) {
    if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return 'missing';
    return undefined;
  }
  if (text.length > 4096) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return {
      pid: parsed.pid,
      host: parsed.host,
      started: typeof parsed.started === 'number' ? parsed.started : null,
      token: typeof parsed.token === 'string' ? parsed.token : '',
      at: typeof parsed.at === 'string' ? parsed.at : '',
    };
  } catch {
    // The settings lock of earlier versions: `<pid> <ISO time>`, written on this host.
    const legacy = /^(\d+) (\S+)\s*$/.exec(text);
    if (legacy === null) return undefined;
    return {
      pid: Number(legacy[1]),
      host: hostname(),
      started: null,
      token: '',
      at: legacy[2] ?? '',
    };
  }
}

/**
 * Removes a dead owner's lock. It is renamed aside first (only one taker can win the rename), and
 * if what was moved turns out to be a newer lock taken meanwhile, it is linked back (link fails
 * rather than overwrite a lock someone took in between).
 */
function takeOver(path: string, dead: LockOwner | undefined): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else took it over or released it first
  }
  const moved = readOwner(aside);
  const same =
    moved !== 'missing' &&
    (moved === undefined || dead === undefined ? moved === dead : moved.token === dead.token);
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process locked in between; the moved lock's owner will find its lock gone only
      // if it outlives that one, and releases nothing it does not own (see releaseIfOurs).
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // Already gone.
  }
}

function releaseIfOurs(path: string, token: string): void {
  const current = readOwner(path);
  if (current === 'missing' || current === undefined || current.token !== token) return;
  try {
    unlinkSync(path);
  } catch {
    // Taken over after a very long hold; nothing left to release.
  }
}

export interface LockWait {
  /** How long to wait for a live owner to finish. */
  readonly timeoutMs: number;
  /** The error to throw when it does not (each lock has its own code and hint). */
  readonly onTimeout: (owner: LockOwner | undefined) => Error;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `work` holding the lock, waiting synchronously (short sleeps) for a live owner. For the
 * synchronous settings API (conf is synchronous); holders only do one small read and one write.
 */
export function withLockSync<T>(path: string, work: () => T, wait: LockWait): T {
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const attempt = tryLock(path);
    if (attempt.kind === 'acquired') {
      try {
        return work();
      } finally {
        attempt.release();
      }
    }
    if (Date.now() >= deadline) throw wait.onTimeout(attempt.owner);
    Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 15));
  }
}

/** Takes the lock, polling every `pollMs` while a live owner holds it; resolves to its release. */
export async function acquireLock(
  path: string,
  wait: LockWait & { readonly pollMs?: number; readonly signal?: AbortSignal },
): Promise<() => void> {
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    wait.signal?.throwIfAborted();
    const attempt = tryLock(path);
    if (attempt.kind === 'acquired') return attempt.release;
    if (Date.now() >= deadline) throw wait.onTimeout(attempt.owner);
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs ?? 50));
  }
}
