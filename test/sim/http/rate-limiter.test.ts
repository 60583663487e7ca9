import { describe, expect, it } from 'vitest';
import { bdcRateLimitDefaults, RateLimiter } from '../../../sim/http/rate-limiter.js';

describe('rate limiter', () => {
  it('allows a burst of 60, then refills at 5 per second (BDC defaults)', () => {
    let now = 0;
    const limiter = new RateLimiter(bdcRateLimitDefaults, () => now);
    for (let index = 0; index < 60; index += 1) expect(limiter.take('u').allowed).toBe(true);
    expect(limiter.take('u')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1000;
    for (let index = 0; index < 5; index += 1) expect(limiter.take('u').allowed).toBe(true);
    expect(limiter.take('u').allowed).toBe(false);
    expect(limiter.take('someone-else').allowed).toBe(true);
  });
});
