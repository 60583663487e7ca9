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

  constructor(private readonly database: Database) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes still waiting for their commit. */
  get waiting(): number {
    return this.queue.length;
  }

  private flush(): void {
    this.scheduled = false;
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
