import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DATABASE_FILE } from '../storage/database.js';
import { listLogFiles } from '../logging/file-logger.js';
import { readFileTailSync } from '../io/bounded-file.js';

/** Rows of the push history, newest first, as stored (attempts and paths parsed back from JSON). */
export type HistoryRow = Readonly<Record<string, unknown>>;

export interface DeliveryRow {
  readonly [column: string]: unknown;
  /** The first bytes of the body as text; the rest is only counted. */
  readonly bodyExcerpt: string;
  readonly bodyBytes: number;
  readonly lastAttempt: Readonly<Record<string, unknown>> | undefined;
}

export interface DatabaseExtract {
  readonly present: boolean;
  readonly history: readonly HistoryRow[];
  readonly deliveries: readonly DeliveryRow[];
  readonly counters: readonly Readonly<Record<string, unknown>>[];
  readonly webhooks: readonly Readonly<Record<string, unknown>>[];
}

export interface DatabaseExtractOptions {
  readonly historyRows: number;
  readonly deliveryRows: number;
  readonly bodyBytes: number;
}

function parseJsonColumns(
  row: Record<string, unknown>,
  columns: readonly string[],
): Record<string, unknown> {
  const copy = { ...row };
  for (const column of columns) {
    const value = copy[column];
    if (typeof value !== 'string') continue;
    try {
      copy[column] = JSON.parse(value) as unknown;
    } catch {
      // Kept as text.
    }
  }
  return copy;
}

function excerpt(value: unknown, limit: number): { text: string; bytes: number } {
  const bytes = Buffer.isBuffer(value)
    ? value
    : Buffer.from(typeof value === 'string' ? value : '');
  const cut = bytes.subarray(0, limit).toString('utf8');
  return {
    text: bytes.length > limit ? `${cut}… [${bytes.length - limit} more bytes]` : cut,
    bytes: bytes.length,
  };
}

/**
 * Reads the newest push-history rows and relay deliveries from the config home's database,
 * read-only: diagnostics never create, migrate or lock the database a running relay writes to.
 * Tables that do not exist yet (a capability never used) give empty lists. Signatures are left
 * out and bodies are cut to an excerpt; the caller redacts what remains.
 */
export function readDatabaseExtract(
  home: string,
  options: DatabaseExtractOptions,
): DatabaseExtract {
  const path = join(home, DATABASE_FILE);
  let database: BetterSqlite3.Database;
  try {
    statSync(path);
    database = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  } catch {
    return { present: false, history: [], deliveries: [], counters: [], webhooks: [] };
  }
  try {
    database.pragma('busy_timeout = 2000');
    const tables = new Set(
      database
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((row) => (row as { name: string }).name),
    );
    const all = (sql: string, ...parameters: unknown[]): Record<string, unknown>[] =>
      database.prepare(sql).all(...parameters) as Record<string, unknown>[];

    const history = tables.has('push_history')
      ? all('SELECT * FROM push_history ORDER BY id DESC LIMIT ?', options.historyRows).map((row) =>
          parseJsonColumns(row, ['paths', 'attempts']),
        )
      : [];

    const lastAttempt = tables.has('relay_attempts')
      ? database.prepare(
          'SELECT number, at, status, latency_ms, outcome, error, response_excerpt FROM relay_attempts WHERE delivery_id = ? ORDER BY number DESC LIMIT 1',
        )
      : undefined;
    const deliveries: DeliveryRow[] = tables.has('relay_deliveries')
      ? all('SELECT * FROM relay_deliveries ORDER BY id DESC LIMIT ?', options.deliveryRows).map(
          (row) => {
            const { body, signature: _signature, ...rest } = row;
            const cut = excerpt(body, options.bodyBytes);
            const attempt = lastAttempt?.get(row['id']) as Record<string, unknown> | undefined;
            return {
              ...rest,
              bodyExcerpt: cut.text,
              bodyBytes: cut.bytes,
              lastAttempt:
                attempt === undefined
                  ? undefined
                  : {
                      ...attempt,
                      response_excerpt: excerpt(attempt['response_excerpt'], options.bodyBytes)
                        .text,
                    },
            };
          },
        )
      : [];
    const counters = tables.has('relay_counters') ? all('SELECT * FROM relay_counters') : [];
    const webhooks = tables.has('webhook_registrations')
      ? all('SELECT * FROM webhook_registrations')
      : [];
    return { present: true, history, deliveries, counters, webhooks };
  } finally {
    database.close();
  }
}

export interface LogExtract {
  readonly file: string;
  /** The newest lines of the file, oldest first. */
  readonly lines: readonly string[];
  readonly truncated: boolean;
}

/** The newest `maxLines` log lines across the current and rotated files (newest file first). */
export function readLogExtract(
  home: string,
  maxLines: number,
  maxBytesPerFile = 2 * 1024 * 1024,
): LogExtract[] {
  const extracts: LogExtract[] = [];
  let remaining = maxLines;
  for (const file of listLogFiles(home)) {
    if (remaining <= 0) break;
    let text: string;
    try {
      text = readFileTailSync(file, 'log', maxBytesPerFile).toString('utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n').filter((line) => line !== '');
    const kept = lines.slice(-remaining);
    remaining -= kept.length;
    extracts.push({ file: basename(file), lines: kept, truncated: kept.length < lines.length });
  }
  return extracts;
}
