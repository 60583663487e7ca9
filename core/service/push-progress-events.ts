import type { CompanionEvent } from '../../common/api/models.js';
import type { PushProgress } from '../../common/models/push.js';

/** At most this often per phase: byte counts can change thousands of times a second. */
export const PUSH_PROGRESS_INTERVAL_MS = 100;

/**
 * Turns the push engine's progress callbacks into `push-progress` events of one run, throttled
 * so a large pack does not flood the IPC or SSE channel: a new phase or attempt, and the end of a
 * phase (done === total), always go out; updates within a phase at most every interval.
 */
export function pushProgressEmitter(
  runId: string,
  emit: (event: CompanionEvent) => void,
  now: () => number = Date.now,
  intervalMs = PUSH_PROGRESS_INTERVAL_MS,
): (progress: PushProgress) => void {
  let lastKey: string | undefined;
  let lastAt = Number.NEGATIVE_INFINITY;
  return (progress) => {
    const key = `${progress.attempt}:${progress.phase}`;
    const finished = progress.total !== undefined && progress.done === progress.total;
    const at = now();
    if (key === lastKey && !finished && at - lastAt < intervalMs) return;
    lastKey = key;
    lastAt = at;
    emit({ kind: 'push-progress', runId, progress: { ...progress } });
  };
}
