/**
 * What the forwarder does after one attempt, as pure functions so the rules are tested directly.
 *
 * 2xx: delivered. 408, 429 and 5xx are the platform saying "not now", and network errors and
 * timeouts are the path saying it: both are retried with exponential backoff and jitter until the
 * delivery's maximum age, then dead-lettered. Any other status (4xx, and 1xx/3xx which a webhook
 * receiver never legitimately answers) will not get better by repeating the same bytes, so the
 * delivery is dead-lettered at once and waits for a replay.
 */
export interface RetryPolicy {
  /** First retry delay. */
  readonly initialDelayMs: number;
  /** Upper bound of one delay (before jitter), so a recovered platform is tried again soon. */
  readonly maxDelayMs: number;
  /** Age (from being queued) after which a failing delivery is dead-lettered. */
  readonly maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxAgeMs: 24 * 60 * 60_000,
};

export type AttemptResult =
  | { readonly kind: 'response'; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: 'network-error'; readonly message: string };

export type AttemptClass = 'delivered' | 'retry' | 'dead';

export function classifyAttempt(result: AttemptResult): AttemptClass {
  if (result.kind === 'network-error') return 'retry';
  const { status } = result;
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) return 'retry';
  return 'dead';
}

/**
 * Delay before attempt `failures + 1`: `initial × 2^(failures − 1)` capped at `maxDelayMs`, with
 * "equal jitter" (half fixed, half random) so retries from many deliveries spread out without
 * ever collapsing to zero. `random` is injectable for tests.
 */
export function backoffDelayMs(
  failures: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, failures - 1);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 40));
  return Math.round(base / 2 + random() * (base / 2));
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or
 * malformed. Never negative.
 */
export function parseRetryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export type NextStep =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly at: number }
  | { readonly kind: 'dead'; readonly reason: string };

/**
 * Decides the next step after an attempt. `failures` counts failed attempts including this one;
 * `queuedAt` is when the delivery entered the queue (or was replayed).
 */
export function nextStep(
  result: AttemptResult,
  context: { readonly failures: number; readonly queuedAt: number; readonly now: number },
  policy: RetryPolicy,
  random: () => number = Math.random,
): NextStep {
  const verdict = classifyAttempt(result);
  if (verdict === 'delivered') return { kind: 'delivered' };
  const what =
    result.kind === 'network-error' ? result.message : `the platform answered ${result.status}`;
  if (verdict === 'dead') return { kind: 'dead', reason: `${what} (not retryable)` };
  const retryAfter =
    result.kind === 'response' ? parseRetryAfterMs(result.retryAfter, context.now) : undefined;
  const delay = retryAfter ?? backoffDelayMs(context.failures, policy, random);
  const at = context.now + delay;
  if (at > context.queuedAt + policy.maxAgeMs) {
    return {
      kind: 'dead',
      reason: `${what}; still failing after ${context.failures} attempts, beyond the maximum age`,
    };
  }
  return { kind: 'retry', at };
}
