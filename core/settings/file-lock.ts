import { CompanionError } from '../../common/errors/companion-error.js';
import { acquireLock, describeOwner, withLockSync, type LockOwner } from '../io/lock-file.js';

export interface FileLockOptions {
  /** How long to wait for another live process to finish (default 5 s). */
  readonly timeoutMs?: number;
}

/**
 * Runs `work` while holding `<path>.lock`, so the desktop app, the daemon and CLI calls that
 * read-modify-write the same settings file do not lose each other's changes. The settings API is
 * synchronous (conf is), so waiting is a short synchronous sleep; holders only ever do one small
 * read and one atomic write. A lock left by a process that died is taken over at once
 * (core/io/lock-file.ts).
 */
export function withFileLock<T>(path: string, work: () => T, options: FileLockOptions = {}): T {
  return withLockSync(`${path}.lock`, work, wait(path, options));
}

/** The same lock around asynchronous work (the encrypted secrets file derives its key inside). */
export async function withFileLockAsync<T>(
  path: string,
  work: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const release = await acquireLock(`${path}.lock`, { ...wait(path, options), pollMs: 10 });
  try {
    return await work();
  } finally {
    release();
  }
}

function wait(path: string, options: FileLockOptions) {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    timeoutMs,
    onTimeout: (owner: LockOwner | undefined) =>
      new CompanionError(
        'SETTINGS_WRITE_FAILED',
        `The file ${path} stayed locked by another companion process, ${describeOwner(owner)}, for ${timeoutMs} ms.`,
        {
          hint: 'That process is still running: let it finish, or stop it. A lock left by a process that has ended is taken over by itself.',
        },
      ),
  };
}
