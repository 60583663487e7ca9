import type { Migration } from '../storage/migration.js';

/**
 * Schema of the relay's delivery queue (owned by the relay).
 *
 * `relay_deliveries` keeps the raw body and the forwarded headers exactly as BDC sent them; the
 * platform verifies the signature over those bytes. `lane_seq` orders deliveries within one
 * repository (a replay moves a delivery to the end of its lane). The unique index on
 * (installation, X-Request-Id) is what makes a redelivery from BDC a counted duplicate instead of
 * a second row. Counters survive restarts so `relay status` in another process tells the truth.
 */
export const relayMigrations: readonly Migration[] = [
  {
    name: 'relay/001-delivery-queue',
    up(database) {
      database.exec(`
        CREATE TABLE relay_deliveries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          installation_id TEXT NOT NULL,
          request_id TEXT,
          event_key TEXT NOT NULL,
          repository TEXT NOT NULL,
          content_type TEXT,
          signature TEXT,
          body BLOB NOT NULL,
          received_at INTEGER NOT NULL,
          lane_seq INTEGER NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
          queued_at INTEGER NOT NULL,
          next_attempt_at INTEGER,
          attempts INTEGER NOT NULL DEFAULT 0,
          delivered_at INTEGER,
          dead_at INTEGER,
          last_error TEXT,
          replays INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX relay_deliveries_request
          ON relay_deliveries (installation_id, request_id) WHERE request_id IS NOT NULL;
        CREATE INDEX relay_deliveries_lane
          ON relay_deliveries (installation_id, state, repository, lane_seq);
        CREATE INDEX relay_deliveries_state_time
          ON relay_deliveries (installation_id, state, delivered_at);
        CREATE INDEX relay_deliveries_seq ON relay_deliveries (lane_seq);

        CREATE TABLE relay_attempts (
          delivery_id INTEGER NOT NULL REFERENCES relay_deliveries (id) ON DELETE CASCADE,
          number INTEGER NOT NULL,
          at INTEGER NOT NULL,
          status INTEGER,
          latency_ms REAL NOT NULL,
          outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'dead')),
          error TEXT,
          response_excerpt TEXT,
          PRIMARY KEY (delivery_id, number)
        );
        CREATE INDEX relay_attempts_time ON relay_attempts (at);

        CREATE TABLE relay_counters (
          installation_id TEXT NOT NULL,
          name TEXT NOT NULL,
          count INTEGER NOT NULL DEFAULT 0,
          last_at INTEGER,
          detail TEXT,
          PRIMARY KEY (installation_id, name)
        );

        CREATE TABLE webhook_registrations (
          installation_id TEXT NOT NULL,
          scope TEXT NOT NULL CHECK (scope IN ('repository', 'project')),
          project TEXT NOT NULL,
          slug TEXT NOT NULL DEFAULT '',
          webhook_id INTEGER NOT NULL,
          url TEXT NOT NULL,
          events TEXT NOT NULL,
          active INTEGER NOT NULL,
          registered_at INTEGER NOT NULL,
          secret_rotated_at INTEGER,
          PRIMARY KEY (installation_id, scope, project, slug)
        );
      `);
    },
  },
  {
    name: 'relay/002-relay-runs',
    up(database) {
      // One row per relay process: its heartbeat tells `relay status` in any other process
      // whether a relay really runs, instead of guessing from the queue.
      database.exec(`
        CREATE TABLE relay_runs (
          installation_id TEXT NOT NULL,
          host TEXT NOT NULL,
          pid INTEGER NOT NULL,
          url TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          beat_at INTEGER NOT NULL,
          stopped_at INTEGER,
          PRIMARY KEY (installation_id, host, pid)
        );
      `);
    },
  },
  {
    name: 'relay/003-reach-nonces',
    up(database) {
      // One-time nonces proving that BDC's test ping reached this relay (proof-of-reach.ts).
      database.exec(`
        CREATE TABLE relay_reach_nonces (
          installation_id TEXT NOT NULL,
          nonce_hash TEXT NOT NULL,
          issued_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          proven_at INTEGER,
          PRIMARY KEY (installation_id, nonce_hash)
        );
      `);
    },
  },
  {
    name: 'relay/004-state-counts',
    up(database) {
      // How many deliveries each installation has in each state, kept current by triggers on
      // every insert, state change and delete (whoever makes it: listener, forwarder, replay,
      // pruning), so `relay status` — asked on every relay event — reads a row instead of
      // counting the queue. The index serves "oldest pending" the same way.
      database.exec(`
        CREATE TABLE relay_state_counts (
          installation_id TEXT NOT NULL,
          state TEXT NOT NULL,
          n INTEGER NOT NULL,
          PRIMARY KEY (installation_id, state)
        );
        INSERT INTO relay_state_counts (installation_id, state, n)
          SELECT installation_id, state, COUNT(*) FROM relay_deliveries
          GROUP BY installation_id, state;
        CREATE TRIGGER relay_state_counts_insert AFTER INSERT ON relay_deliveries BEGIN
          INSERT OR IGNORE INTO relay_state_counts (installation_id, state, n)
            VALUES (NEW.installation_id, NEW.state, 0);
          UPDATE relay_state_counts SET n = n + 1
            WHERE installation_id = NEW.installation_id AND state = NEW.state;
        END;
        CREATE TRIGGER relay_state_counts_update AFTER UPDATE OF state ON relay_deliveries
          WHEN OLD.state <> NEW.state BEGIN
          UPDATE relay_state_counts SET n = n - 1
            WHERE installation_id = OLD.installation_id AND state = OLD.state;
          INSERT OR IGNORE INTO relay_state_counts (installation_id, state, n)
            VALUES (NEW.installation_id, NEW.state, 0);
          UPDATE relay_state_counts SET n = n + 1
            WHERE installation_id = NEW.installation_id AND state = NEW.state;
        END;
        CREATE TRIGGER relay_state_counts_delete AFTER DELETE ON relay_deliveries BEGIN
          UPDATE relay_state_counts SET n = n - 1
            WHERE installation_id = OLD.installation_id AND state = OLD.state;
        END;
        CREATE INDEX relay_deliveries_queued
          ON relay_deliveries (installation_id, state, queued_at);
      `);
    },
  },
  {
    name: 'relay/005-delivery-signature',
    up(database) {
      // A replayed delivery is found by its signature (the HMAC of its body), whatever request
      // id it carries; hex may come in either case, so the index is on the lower-cased value.
      database.exec(`
        CREATE INDEX relay_deliveries_signature
          ON relay_deliveries (installation_id, lower(signature), received_at)
          WHERE signature IS NOT NULL;
      `);
    },
  },
  {
    name: 'relay/006-delivery-source',
    up(database) {
      // Who produced a delivery: NULL for BDC's own webhook, 'companion-watch' for an event the
      // watch built; forwarded as X-Ankra-Event-Source so the platform can tell them apart.
      database.exec('ALTER TABLE relay_deliveries ADD COLUMN source TEXT');
    },
  },
];
