import { chmodSync, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { bridgeMigrations } from '../bridge/bridge-migrations.js';
import { historyMigrations } from '../history/history-migrations.js';
import { relayMigrations } from '../relay/relay-migrations.js';
import { watchMigrations } from '../watch/watch-migrations.js';
import type { Migration } from './migration.js';

export const DATABASE_FILE = 'companion.db';

const ALL_MIGRATIONS: readonly Migration[] = [
  ...historyMigrations,
  ...relayMigrations,
  ...watchMigrations,
  ...bridgeMigrations,
];

/**
 * Opens the one SQLite database of the config home (push history and relay queue).
 *
 * WAL lets the desktop app and the daemon read while the other writes; `synchronous=FULL` makes
 * a commit durable before it returns, which the relay's persist-then-acknowledge rule relies on.
 * `busy_timeout` covers the two processes meeting on a write.
 */
export function openDatabase(
  home: string,
  migrations: readonly Migration[] = ALL_MIGRATIONS,
): Database {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = join(home, DATABASE_FILE);
  ownerOnly(path);
  const database = new (loadBetterSqlite3())(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  applyMigrations(database, migrations);
  return database;
}

/**
 * The database holds push history and queued webhook bodies (repository names, authors, commit
 * messages): only its owner may read it. SQLite creates `-wal` and `-shm` with the mode of the
 * database file, so creating that file 0600 covers all three; files left by an older version
 * (created under the umask, usually 0644) are tightened here, before anything is written to them.
 */
function ownerOnly(path: string): void {
  closeSync(openSync(path, constants.O_CREAT | constants.O_RDWR | constants.O_NOFOLLOW, 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

export function applyMigrations(database: Database, migrations: readonly Migration[]): void {
  database.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)',
  );
  const applied = new Set(
    database
      .prepare('SELECT name FROM schema_migrations')
      .all()
      .map((row) => (row as { name: string }).name),
  );
  const record = database.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)');
  // By code point, not localeCompare: the order must not depend on the locale, and ICU's collator
  // would add ~3 MiB to every daemon's resident memory (bench/RESULTS.md, "idle daemon").
  for (const migration of [...migrations].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (applied.has(migration.name)) continue;
    database.transaction(() => {
      migration.up(database);
      record.run(migration.name, new Date().toISOString());
    })();
  }
}

// (`import.meta.url` is empty in the CommonJS bundle of the desktop's main process.)
const load = createRequire((import.meta.url as string | undefined) ?? __filename);

/**
 * The driver, loaded when a database is first opened rather than when this module is: a CLI
 * command that may record something (`installation list` reads the settings only) would otherwise
 * load the native module on every start (`bench/RESULTS.md`, start-up).
 */
function loadBetterSqlite3(): typeof BetterSqlite3 {
  return load('better-sqlite3') as typeof BetterSqlite3;
}
