/** One request the simulated BDC received (admin calls excluded), for tests that prove a refusal. */
export interface SimRequestRecord {
  readonly method: string;
  /** The path as received, context path included, without the query. */
  readonly path: string;
  readonly query: string;
  readonly at: number;
}

const MAX_ENTRIES = 100_000;

/**
 * Every request BDC saw, in order: a test asserting "this never reached BDC" needs the server's
 * own record, not the client's word. Bounded so a long benchmark cannot grow it without end.
 */
export class RequestLog {
  private readonly entries: SimRequestRecord[] = [];

  record(entry: SimRequestRecord): void {
    if (this.entries.length >= MAX_ENTRIES) this.entries.shift();
    this.entries.push(entry);
  }

  list(): readonly SimRequestRecord[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries.length = 0;
  }
}
