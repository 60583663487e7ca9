/**
 * BDC's webhook circuit breaker (docs/bdc-api-facts.md §4.5): after `triggerCount` consecutive failures a
 * webhook is skipped for `initial × exponent^(failures − triggerCount)`, capped at `max`; events
 * arriving while it is open are dropped, not queued. A success closes it. Pure: the clock is
 * passed in.
 */
export interface BreakerSettings {
  readonly triggerCount: number;
  readonly initialMs: number;
  readonly exponent: number;
  readonly maxMs: number;
}

export const bdcBreakerDefaults: BreakerSettings = {
  triggerCount: 5,
  initialMs: 10_000,
  exponent: 2,
  maxMs: 10 * 60 * 60 * 1000,
};

export interface BreakerState {
  readonly failures: number;
  readonly openUntil: number;
}

export const closedBreaker: BreakerState = { failures: 0, openUntil: 0 };

export function isOpen(state: BreakerState, now: number): boolean {
  return now < state.openUntil;
}

export function afterSuccess(): BreakerState {
  return closedBreaker;
}

export function afterFailure(
  state: BreakerState,
  now: number,
  settings: BreakerSettings = bdcBreakerDefaults,
): BreakerState {
  const failures = state.failures + 1;
  if (failures < settings.triggerCount) return { failures, openUntil: 0 };
  const wait = Math.min(
    settings.initialMs * settings.exponent ** (failures - settings.triggerCount),
    settings.maxMs,
  );
  return { failures, openUntil: now + wait };
}
