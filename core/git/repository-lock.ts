import { CompanionError } from '../../common/errors/companion-error.js';
import { acquireLock as acquireLockFile } from '../io/lock-file.js';

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
 * A lock per cache entry that holds across processes (desktop app and daemon share the cache),
 * on the companion's one lock file (core/io/lock-file.ts): a lock whose owner died (`kill -9`)
 * is taken over at once. Inside one process an async queue orders callers first, because the lock
 * file carries this process's own (live) pid.
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
    const releaseFile = await acquireLockFile(file, {
      timeoutMs: Math.max(0, deadline - Date.now()),
      pollMs: options.pollMs ?? 50,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onTimeout: () => timeoutError(),
    }).catch((error: unknown) => {
      throw options.signal?.aborted === true ? cancelled() : error;
    });
    return {
      async release() {
        try {
          releaseFile();
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
