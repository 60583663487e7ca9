import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { CompanionError } from '../../common/errors/companion-error.js';

export interface FileLockOptions {
  /** How long to wait for another process to finish (default 5 s). */
  readonly timeoutMs?: number;
  /** A lock older than this is from a crashed process and is broken (default 30 s). */
  readonly staleMs?: number;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `work` while holding `<path>.lock`, so the desktop app, the daemon and CLI calls that
 * read-modify-write the same settings file do not lose each other's changes. The settings API is
 * synchronous (conf is), so waiting is a short synchronous sleep; holders only ever do one small
 * read and one atomic write.
 */
export function withFileLock<T>(path: string, work: () => T, options: FileLockOptions = {}): T {
  const release = acquireFileLock(path, options);
  try {
    return work();
  } finally {
    release();
  }
}

/** The same lock around asynchronous work (the encrypted secrets file derives its key inside). */
export async function withFileLockAsync<T>(
  path: string,
  work: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const release = acquireFileLock(path, options);
  try {
    return await work();
  } finally {
    release();
  }
}

function acquireFileLock(path: string, options: FileLockOptions): () => void {
  const lockPath = `${path}.lock`;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let descriptor: number | undefined;
  while (descriptor === undefined) {
    try {
      descriptor = openSync(lockPath, 'wx', 0o600);
      writeSync(descriptor, `${process.pid} ${new Date().toISOString()}\n`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (breakIfStale(lockPath, staleMs)) continue;
      if (Date.now() > deadline) {
        throw new CompanionError(
          'SETTINGS_WRITE_FAILED',
          `The file ${path} stayed locked by another companion process (${holder(lockPath)}) for ${timeoutMs} ms.`,
          { hint: `If no other companion process is running, delete ${lockPath}.` },
        );
      }
      Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 15));
    }
  }
  const held = descriptor;
  return () => {
    closeSync(held);
    try {
      unlinkSync(lockPath);
    } catch {
      // Broken as stale by another process after a very long hold; nothing left to release.
    }
  };
}

function breakIfStale(lockPath: string, staleMs: number): boolean {
  try {
    if (Date.now() - statSync(lockPath).mtimeMs <= staleMs) return false;
    unlinkSync(lockPath);
    return true;
  } catch {
    // Released between the failed open and the check: just try again.
    return true;
  }
}

function holder(lockPath: string): string {
  try {
    return `pid ${readFileSync(lockPath, 'utf8').trim()}`;
  } catch {
    return 'unknown process';
  }
}
