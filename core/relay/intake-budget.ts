/**
 * How many body bytes the relay holds in memory at once, across all requests still being read.
 *
 * A delivery's body must be kept until its signature is checked at the last byte, so without a
 * bound anyone who can reach the port holds memory by opening many requests with large bodies
 * (issue 15: 200 × 9 MiB took the relay from 90 MB to 1.9 GB). Bytes are taken as they arrive and
 * given back when the request ends either way; a request that would go over is refused with 503.
 *
 * Small bodies have a reserve of their own on top of the shared pool: BDC's deliveries are a few
 * KiB, so while large bodies fill the pool (an attack, or a burst of big pushes) the ordinary
 * deliveries still get through. See docs/security.md ("Relay listener").
 */
export class IntakeBudget {
  private used = 0;

  /**
   * @param sharedBytes what bodies of any size may hold together.
   * @param smallReserveBytes extra room only for requests whose body stays within `smallBodyBytes`.
   */
  constructor(
    readonly sharedBytes: number,
    readonly smallReserveBytes: number,
    readonly smallBodyBytes: number,
  ) {}

  get inFlight(): number {
    return this.used;
  }

  /**
   * Takes `bytes` more for a request that has taken `held` so far; false (and nothing taken) when
   * that would go over what a body of `held + bytes` may use.
   */
  take(held: number, bytes: number): boolean {
    const small = held + bytes <= this.smallBodyBytes;
    const ceiling = small ? this.sharedBytes + this.smallReserveBytes : this.sharedBytes;
    if (this.used + bytes > ceiling) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
