/**
 * Sleep detection: a timer that fires far later than it was scheduled means the machine (or the
 * process) was suspended, and a connection that was open before is most likely dead although no
 * close event came. The bridge then reconnects at once instead of waiting for a missed pong.
 */
export const WAKE_CHECK_INTERVAL_MS = 5_000;
export const WAKE_LATENESS_MS = 15_000;

/** True when a timer scheduled `intervalMs` after `scheduledAt` fired at `firedAt` this late. */
export function isWakeFromSleep(
  scheduledAt: number,
  firedAt: number,
  intervalMs: number = WAKE_CHECK_INTERVAL_MS,
  latenessMs: number = WAKE_LATENESS_MS,
): boolean {
  return firedAt - scheduledAt - intervalMs > latenessMs;
}

export interface WakeDetectorClock {
  readonly now: () => number;
  readonly setInterval: (callback: () => void, ms: number) => { unref?: () => void };
  readonly clearInterval: (handle: unknown) => void;
}

/** Calls `onWake` whenever the interval timer fires late enough to mean a sleep. */
export function startWakeDetector(
  onWake: (sleptMs: number) => void,
  clock: WakeDetectorClock = {
    now: Date.now,
    setInterval: (callback, ms) => setInterval(callback, ms),
    clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  },
  intervalMs: number = WAKE_CHECK_INTERVAL_MS,
): () => void {
  let last = clock.now();
  const handle = clock.setInterval(() => {
    const now = clock.now();
    if (isWakeFromSleep(last, now, intervalMs)) onWake(now - last - intervalMs);
    last = now;
  }, intervalMs);
  handle.unref?.();
  return () => clock.clearInterval(handle);
}
