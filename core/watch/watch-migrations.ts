import type { Migration } from '../storage/migration.js';

/**
 * Schema of watch mode (owned by `core/watch/`).
 *
 * `watch_refs` is the last state of each watched ref the watch has reported (or found at its
 * first poll): a restart compares BDC's refs with it, so what changed while the companion was
 * down is reported once, as one event per ref. It is updated in the same transaction that queues
 * the event, so a crash leaves either both or neither.
 *
 * `ref_change_log` records, per source (`webhook` from BDC, `watch` from the companion), which
 * ref moved to which hash and when: when both run, a change seen by one within the window is not
 * sent again by the other.
 *
 * `watch_repositories` holds each watched repository's poll outcome, `watch_state` the totals
 * `relay status` shows; `watch_evidence` the last
 * result of BDC's webhook test (did BDC reach the relay?), which decides the suggested mode.
 */
export const watchMigrations: readonly Migration[] = [
  {
    name: 'watch/001-refs',
    up(database) {
      database.exec(`
        CREATE TABLE watch_refs (
          installation_id TEXT NOT NULL,
          repository TEXT NOT NULL,
          ref TEXT NOT NULL,
          hash TEXT NOT NULL,
          seen_at INTEGER NOT NULL,
          PRIMARY KEY (installation_id, repository, ref)
        );

        CREATE TABLE watch_repositories (
          installation_id TEXT NOT NULL,
          repository TEXT NOT NULL,
          baseline_at INTEGER,
          last_poll_at INTEGER,
          last_error TEXT,
          last_error_at INTEGER,
          PRIMARY KEY (installation_id, repository)
        );

        CREATE TABLE ref_change_log (
          installation_id TEXT NOT NULL,
          repository TEXT NOT NULL,
          ref TEXT NOT NULL,
          to_hash TEXT NOT NULL,
          source TEXT NOT NULL CHECK (source IN ('webhook', 'watch')),
          seen_at INTEGER NOT NULL
        );
        CREATE INDEX ref_change_log_lookup
          ON ref_change_log (installation_id, repository, ref, to_hash, source);
        CREATE INDEX ref_change_log_time ON ref_change_log (seen_at);

        CREATE TABLE watch_state (
          installation_id TEXT PRIMARY KEY,
          last_poll_at INTEGER,
          events INTEGER NOT NULL DEFAULT 0,
          deduplicated INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          last_error_at INTEGER
        );

        CREATE TABLE watch_evidence (
          installation_id TEXT PRIMARY KEY,
          tested_at INTEGER NOT NULL,
          reached INTEGER NOT NULL,
          reason TEXT
        );
      `);
    },
  },
];
