import { sleep } from '../io/sleep.js';

/**
 * The webhook secrets the listener accepts, with reloads that make a rotation safe.
 *
 * `webhooks rotate-secret` runs in another process and writes the new secret (keeping the old
 * one for a while) before it changes any BDC webhook. When a signature does not verify, the
 * listener asks for secrets loaded *after the request arrived* and verifies again, so a delivery
 * signed with the new secret is never refused because this process had not noticed the rotation.
 * Reloads are single-flight and spaced by `minIntervalMs`, so a flood of bad signatures costs at
 * most a few secret-store reads a second.
 */
export class SecretCache {
  private secrets: readonly string[] = [];
  private loadedStartedAt = Number.NEGATIVE_INFINITY;
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private inflight:
    { readonly startedAt: number; readonly promise: Promise<readonly string[]> } | undefined;

  constructor(
    private readonly load: () => Promise<readonly string[]>,
    private readonly minIntervalMs = 200,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The secrets from the latest load. */
  get current(): readonly string[] {
    return this.secrets;
  }

  /** A timestamp on the same clock as the reload bookkeeping (take it when a request arrives). */
  stamp(): number {
    return this.now();
  }

  /**
   * Secrets from a load that started at or after `since`; when that load fails (secret store
   * unavailable), the secrets already known.
   */
  loadedSince(since: number): Promise<readonly string[]> {
    return this.waitForLoad(since).catch(() => this.secrets);
  }

  /** Loads now; rejects when the secret store fails (at start, the caller must know). */
  refresh(): Promise<readonly string[]> {
    return this.waitForLoad(this.now());
  }

  private async waitForLoad(since: number): Promise<readonly string[]> {
    for (;;) {
      if (this.loadedStartedAt >= since) return this.secrets;
      if (this.inflight !== undefined) {
        if (this.inflight.startedAt >= since) return this.inflight.promise;
        await this.inflight.promise.catch(() => undefined);
        continue;
      }
      const wait = this.lastStartAt + this.minIntervalMs - this.now();
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      this.start();
    }
  }

  private start(): void {
    const startedAt = this.now();
    this.lastStartAt = startedAt;
    const promise = this.load().then(
      (secrets) => {
        if (startedAt >= this.loadedStartedAt) {
          this.secrets = secrets.filter((secret) => secret !== '');
          this.loadedStartedAt = startedAt;
        }
        this.inflight = undefined;
        return this.secrets;
      },
      (error: unknown) => {
        this.inflight = undefined;
        throw error;
      },
    );
    this.inflight = { startedAt, promise };
  }
}
