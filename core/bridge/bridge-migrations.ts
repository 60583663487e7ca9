import type { Migration } from '../storage/migration.js';

/** Schema of the bridge: push ids and their results (idempotency), and the liveness record. */
export const bridgeMigrations: readonly Migration[] = [
  {
    name: 'bridge/001-pushes-and-runs',
    up(database) {
      database.exec(`
        CREATE TABLE bridge_pushes (
          installation_id TEXT NOT NULL,
          push_id TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('running', 'done')),
          result TEXT,
          started_at INTEGER NOT NULL,
          finished_at INTEGER,
          PRIMARY KEY (installation_id, push_id)
        );
        CREATE TABLE bridge_runs (
          installation_id TEXT NOT NULL,
          host TEXT NOT NULL,
          pid INTEGER NOT NULL,
          platform_url TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          beat_at INTEGER NOT NULL,
          stopped_at INTEGER,
          status TEXT NOT NULL,
          PRIMARY KEY (installation_id, host, pid)
        );
      `);
    },
  },
];
