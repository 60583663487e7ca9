import type { Migration } from '../storage/migration.js';

/** Schema of the push history (owned by the push engine). */
export const historyMigrations: readonly Migration[] = [
  {
    name: 'history/001-push-history',
    up(database) {
      database.exec(`
        CREATE TABLE push_history (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at TEXT NOT NULL,
          installation_id TEXT NOT NULL,
          installation_name TEXT NOT NULL,
          user TEXT NOT NULL,
          repo TEXT NOT NULL,
          branch TEXT NOT NULL,
          message TEXT NOT NULL,
          paths TEXT NOT NULL,
          result TEXT NOT NULL CHECK (result IN ('committed', 'noop', 'failed')),
          commit_id TEXT,
          parent TEXT,
          engine TEXT,
          attempts TEXT NOT NULL,
          attempt_count INTEGER NOT NULL,
          duration_ms INTEGER NOT NULL,
          error_code TEXT,
          error_message TEXT
        );
        CREATE INDEX push_history_installation ON push_history (installation_id, id);
        CREATE INDEX push_history_installation_name ON push_history (installation_name, id);
        CREATE INDEX push_history_repo ON push_history (repo, branch, id);
      `);
    },
  },
  {
    name: 'history/002-push-source',
    up(database) {
      // Which door a push came through: a person at the companion, or the platform (bridge).
      database.exec(`
        ALTER TABLE push_history ADD COLUMN source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'bridge'));
        ALTER TABLE push_history ADD COLUMN request_id TEXT;
      `);
    },
  },
];
