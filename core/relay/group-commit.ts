import type { Database } from 'better-sqlite3';

interface Queued {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: writes requested during one turn of the event loop are applied in a single
 * transaction, so one fsync (synchronous=FULL) makes all of them durable.
 *
 * A commit costs milliseconds on a real disk; one per delivery would cap the relay at a few
 * hundred deliveries a second and stall the event loop in between. Each write still runs in its
 * own savepoint, so one failing write rolls back alone and the others commit. A promise resolves
 * only after the transaction that contains its write has committed, which is what lets the
 * listener acknowledge a delivery only once it is on disk.
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private scheduled = false;
  private lazyTimer: NodeJS.Timeout | undefined;
  private yieldOnce = false;

  /**
   * @param lazyDelayMs how long a lazy write may wait for an eager one to share its commit.
   */
  constructor(
    private readonly database: Database,
    private readonly lazyDelayMs = 20,
  ) {}

  /**
   * Queues a write for the next commit. A lazy write (bookkeeping whose loss in a crash only
   * causes a harmless resend) does not trigger a commit of its own: it rides along with the next
   * eager write, or is committed after `lazyDelayMs`. That keeps the relay at one fsync per
   * delivery instead of two, and the event loop free for acknowledgements.
   */
  run<T>(work: () => T, options: { readonly lazy?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (options.lazy === true) {
        if (!this.scheduled && this.lazyTimer === undefined) {
          this.lazyTimer = setTimeout(() => {
            this.lazyTimer = undefined;
            this.flush();
          }, this.lazyDelayMs);
        }
        return;
      }
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flushOrYield());
      }
    });
  }

  /**
   * Lets the event loop turn once more before the next commit. The commit blocks the thread for
   * an fsync; a request to the platform dispatched just before it is only written to its socket
   * on a later turn, so without this the forward would wait for the fsync it was meant to overlap.
   */
  yieldBeforeCommit(): void {
    this.yieldOnce = true;
  }

  private flushOrYield(): void {
    if (this.yieldOnce) {
      this.yieldOnce = false;
      setImmediate(() => this.flushOrYield());
      return;
    }
    this.flush();
  }

  /** Writes still waiting for their commit. */
  get waiting(): number {
    return this.queue.length;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.lazyTimer !== undefined) {
      clearTimeout(this.lazyTimer);
      this.lazyTimer = undefined;
    }
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.database.transaction(() => {
        for (const item of batch) {
          try {
            results.push({ ok: true, value: this.database.transaction(item.work)() });
          } catch (error) {
            results.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch is durable.
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => {
      const result = results[index];
      if (result === undefined) item.reject(new Error('lost group-commit result'));
      else if (result.ok) item.resolve(result.value);
      else item.reject(result.error);
    });
  }
}
