import { sleep } from '../io/sleep.js';

export interface BackoffOptions {
  /** First delay ceiling; doubles per attempt. */
  readonly baseMs: number;
  readonly capMs: number;
  /** A number in [0, 1); injectable so tests are deterministic. */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 100, capMs: 3000 };

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * the delay after attempt n is uniform in [0, min(cap, base·2^(n-1))). Jitter spreads writers that
 * collided on the same tip, so they do not collide again in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/** The engine's wait between attempts; an abort ends it early (the loop then stops). */
export const realSleep = (ms: number, signal?: AbortSignal): Promise<void> => sleep(ms, signal);
