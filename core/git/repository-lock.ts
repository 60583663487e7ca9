import { hostname } from 'node:os';
import { open, rename, rm, stat } from 'node:fs/promises';
import { CompanionError } from '../../common/errors/companion-error.js';
import { readBoundedFile } from '../io/bounded-file.js';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const inProcess = new Map<string, Promise<void>>();

export interface LockOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * A lock per cache entry that holds across processes (desktop app and daemon share the cache):
 * a file created with O_EXCL naming its owner's pid. A lock whose owner died (`kill -9`) is
 * broken by the next taker — through a rename to a unique name, so two takers cannot both break
 * it and both win. Inside one process an async queue orders callers first, because the lock file
 * carries this process's own (live) pid.
 */
export async function acquireLock(file: string, options: LockOptions): Promise<HeldLock> {
  const previous = inProcess.get(file) ?? Promise.resolve();
  let releaseLocal: () => void = () => undefined;
  const mine = new Promise<void>((resolve) => (releaseLocal = resolve));
  const chained = previous.then(() => mine);
  inProcess.set(file, chained);
  const cleanupLocal = (): void => {
    releaseLocal();
    if (inProcess.get(file) === chained) inProcess.delete(file);
  };
  const deadline = Date.now() + options.timeoutMs;
  try {
    await waitWithDeadline(previous, deadline, options.signal);
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    await acquireFile(file, { pid: process.pid, host: hostname(), token }, deadline, options);
    return {
      async release() {
        try {
          const owner = await readOwner(file);
          if (owner?.token === token) await rm(file, { force: true });
        } finally {
          cleanupLocal();
        }
      },
    };
  } catch (error) {
    cleanupLocal();
    throw error;
  }
}

async function waitWithDeadline(
  promise: Promise<void>,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeoutError()), Math.max(0, deadline - Date.now()));
        signal?.addEventListener('abort', () => reject(cancelled()), { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function timeoutError(): CompanionError {
  return new CompanionError(
    'PUSH_LOCK_TIMEOUT',
    'Another push to this repository held its lock for too long.',
  );
}

function cancelled(): CompanionError {
  return new CompanionError(
    'OPERATION_CANCELLED',
    'The push was cancelled while waiting for the repository lock.',
  );
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse((await readBoundedFile(file, 'internal')).toString('utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

async function acquireFile(
  file: string,
  owner: LockOwner,
  deadline: number,
  options: LockOptions,
): Promise<void> {
  const poll = options.pollMs ?? 50;
  for (;;) {
    if (options.signal?.aborted === true) throw cancelled();
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(owner));
      await handle.sync();
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    await breakIfStale(file);
    if (Date.now() >= deadline) throw timeoutError();
    await new Promise((resolve) => setTimeout(resolve, poll));
  }
}

/** Removes a lock whose owner process is gone (same host only: pids mean nothing elsewhere). */
async function breakIfStale(file: string): Promise<void> {
  const owner = await readOwner(file);
  if (owner === undefined) {
    // Being written right now, or truncated by a crash between create and write: give a writer
    // a moment, then treat an empty file older than that as stale.
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || Date.now() - info.mtimeMs < 2000) return;
  } else if (owner.host !== hostname() || alive(owner.pid)) {
    return;
  }
  const aside = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(file, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = await readOwner(aside);
  if (moved !== undefined && owner !== undefined && moved.token !== owner.token) {
    // We moved a fresh lock taken between our read and our rename: put it back.
    await rename(aside, file).catch(() => undefined);
    return;
  }
  await rm(aside, { force: true });
}
