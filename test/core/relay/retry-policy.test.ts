import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  classifyAttempt,
  nextStep,
  parseRetryAfterMs,
  type RetryPolicy,
} from '../../../core/relay/retry-policy.js';

const policy: RetryPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, maxAgeMs: 3_600_000 };

describe('retry policy', () => {
  it('classifies 2xx as delivered, 408/429/5xx/network as retry, other statuses as dead', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      expect(classifyAttempt({ kind: 'response', status })).toBe('delivered');
    }
    for (const status of [408, 429, 500, 502, 503, 504, 599]) {
      expect(classifyAttempt({ kind: 'response', status })).toBe('retry');
    }
    for (const status of [301, 400, 401, 403, 404, 409, 410, 413, 422]) {
      expect(classifyAttempt({ kind: 'response', status })).toBe('dead');
    }
    expect(classifyAttempt({ kind: 'network-error', message: 'ECONNREFUSED' })).toBe('retry');
  });

  it('backs off exponentially with equal jitter, capped', () => {
    expect(backoffDelayMs(1, policy, () => 0)).toBe(500);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(1000);
    expect(backoffDelayMs(3, policy, () => 1)).toBe(4000);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(2000);
    expect(backoffDelayMs(30, policy, () => 1)).toBe(60_000);
    expect(backoffDelayMs(10_000, policy, () => 0.5)).toBe(45_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterMs('7', 0)).toBe(7000);
    expect(parseRetryAfterMs(new Date(12_000).toUTCString(), 2_000)).toBe(10_000);
    expect(parseRetryAfterMs(new Date(0).toUTCString(), 5_000)).toBe(0);
    expect(parseRetryAfterMs('soon', 0)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, 0)).toBeUndefined();
  });

  it('honours Retry-After, and dead-letters once the next try would pass the maximum age', () => {
    const at = 1_000_000;
    expect(
      nextStep(
        { kind: 'response', status: 429, retryAfter: '30' },
        { failures: 1, queuedAt: at, now: at },
        policy,
      ),
    ).toEqual({ kind: 'retry', at: at + 30_000 });
    const late = nextStep(
      { kind: 'response', status: 503 },
      { failures: 9, queuedAt: at, now: at + policy.maxAgeMs - 10 },
      policy,
      () => 0.5,
    );
    expect(late.kind).toBe('dead');
    const refused = nextStep(
      { kind: 'response', status: 400 },
      { failures: 1, queuedAt: at, now: at },
      policy,
    );
    expect(refused).toEqual({ kind: 'dead', reason: 'the platform answered 400 (not retryable)' });
    expect(
      nextStep({ kind: 'response', status: 200 }, { failures: 1, queuedAt: at, now: at }, policy),
    ).toEqual({
      kind: 'delivered',
    });
  });
});
