export interface ReconnectBackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A connection that stayed up this long resets the delay to `initialMs`. */
  readonly resetAfterMs: number;
}

export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoffOptions = {
  initialMs: 1_000,
  maxMs: 60_000,
  resetAfterMs: 60_000,
};

/**
 * Exponential backoff with full jitter (a uniformly random delay up to the doubled ceiling), so a
 * platform restart does not see every companion reconnect in the same second. Pure: the caller
 * passes the clock and the random source.
 */
export class ReconnectBackoff {
  private failures = 0;
  private upSince: number | undefined;

  constructor(private readonly options: ReconnectBackoffOptions = DEFAULT_RECONNECT_BACKOFF) {}

  /** How many reconnects in a row so far. */
  get attempts(): number {
    return this.failures;
  }

  connected(now: number): void {
    this.upSince = now;
  }

  /** The delay before the next attempt, after a connection ended or failed at `now`. */
  nextDelay(now: number, random: () => number = Math.random): number {
    if (this.upSince !== undefined && now - this.upSince >= this.options.resetAfterMs) {
      this.failures = 0;
    }
    this.upSince = undefined;
    const ceiling = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.failures);
    this.failures += 1;
    return Math.floor(random() * ceiling);
  }

  reset(): void {
    this.failures = 0;
    this.upSince = undefined;
  }
}
