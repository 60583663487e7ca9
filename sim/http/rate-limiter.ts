/**
 * BDC's optional rate limiting (docs/bdc-api-facts.md §6.3): a token bucket per user (per node), default
 * 60 tokens refilled at 5 per second, applied to authenticated requests; an empty bucket answers
 * 429 with `Retry-After` in seconds. Pure apart from the injected clock.
 */
export interface RateLimitSettings {
  readonly bucketSize: number;
  readonly refillPerSecond: number;
}

export const bdcRateLimitDefaults: RateLimitSettings = { bucketSize: 60, refillPerSecond: 5 };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly now: () => number,
  ) {}

  /** Takes one token for `user`; returns the seconds to wait when none is left. */
  take(user: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(user) ?? { tokens: this.settings.bucketSize, at: now };
    const refilled = Math.min(
      this.settings.bucketSize,
      bucket.tokens + ((now - bucket.at) / 1000) * this.settings.refillPerSecond,
    );
    if (refilled >= 1) {
      this.buckets.set(user, { tokens: refilled - 1, at: now });
      return { allowed: true };
    }
    this.buckets.set(user, { tokens: refilled, at: now });
    const seconds = Math.ceil((1 - refilled) / this.settings.refillPerSecond);
    return { allowed: false, retryAfterSeconds: Math.max(1, seconds) };
  }
}
