import type { Database } from 'better-sqlite3';

/** One schema step. Names are unique and sort in the order they must run (`history/001-…`). */
export interface Migration {
  readonly name: string;
  up(database: Database): void;
}
