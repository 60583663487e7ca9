import { setTimeout as wait } from 'node:timers/promises';

/**
 * Waits `ms`; an abort ends the wait early without an error (the caller checks its signal and
 * decides what an abort means), unlike `node:timers/promises` itself, which rejects.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await wait(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    if (signal?.aborted !== true) throw error;
  }
}
