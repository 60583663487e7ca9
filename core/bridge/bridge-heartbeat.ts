import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import type { BridgeStatus } from '../../common/models/bridge.js';
import {
  heartbeatIsLive,
  lastEndedRun,
  processIsAlive,
  RELAY_HEARTBEAT_MS,
  RELAY_HEARTBEAT_STALE_MS,
  type HeartbeatRow,
} from '../relay/relay-heartbeat.js';

/** A bridge process as the shared database records it (the relay's liveness idea). */
export interface BridgeRun {
  readonly pid: number;
  readonly host: string;
  readonly platformUrl: string;
  readonly startedAt: string;
  readonly lastBeatAt: string;
  readonly status: BridgeStatus;
}

export interface BridgeLiveness {
  readonly running: readonly BridgeRun[];
  /** When none runs: the last one, and whether it stopped cleanly or vanished (killed, crashed). */
  readonly lastRun:
    (BridgeRun & { readonly ended: 'stopped' | 'vanished'; readonly endedAt: string }) | undefined;
}

interface RunRow extends HeartbeatRow {
  readonly platform_url: string;
  readonly started_at: number;
  readonly status: string;
}

export interface BridgeHeartbeat {
  /** Records the status now (each state change) and with every beat. */
  update(status: BridgeStatus): void;
  stop(): void;
}

/** Records that this process runs the bridge of an installation, with its latest status. */
export function startBridgeHeartbeat(
  database: Database,
  run: { readonly installationId: string; readonly platformUrl: string },
  now: () => number = Date.now,
  intervalMs: number = RELAY_HEARTBEAT_MS,
): BridgeHeartbeat {
  const host = hostname();
  const pid = process.pid;
  let latest = '{}';
  database
    .prepare(
      `DELETE FROM bridge_runs WHERE installation_id = ? AND (stopped_at IS NOT NULL OR beat_at < ?)`,
    )
    .run(run.installationId, now() - RELAY_HEARTBEAT_STALE_MS);
  database
    .prepare(
      `INSERT OR REPLACE INTO bridge_runs (installation_id, host, pid, platform_url, started_at, beat_at, stopped_at, status)
       VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
    )
    .run(run.installationId, host, pid, run.platformUrl, now(), now(), latest);
  const write = database.prepare(
    'UPDATE bridge_runs SET beat_at = ?, status = ? WHERE installation_id = ? AND host = ? AND pid = ?',
  );
  const beat = (): void => {
    try {
      write.run(now(), latest, run.installationId, host, pid);
    } catch {
      // A busy database skips one beat; three missed beats are needed to look dead.
    }
  };
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return {
    update(status) {
      latest = JSON.stringify(status);
      beat();
    },
    stop() {
      clearInterval(timer);
      database
        .prepare(
          'UPDATE bridge_runs SET stopped_at = ?, beat_at = ?, status = ? WHERE installation_id = ? AND host = ? AND pid = ?',
        )
        .run(now(), now(), latest, run.installationId, host, pid);
    },
  };
}

function toRun(row: RunRow): BridgeRun {
  return {
    pid: row.pid,
    host: row.host,
    platformUrl: row.platform_url,
    startedAt: new Date(row.started_at).toISOString(),
    lastBeatAt: new Date(row.beat_at).toISOString(),
    status: JSON.parse(row.status) as BridgeStatus,
  };
}

/** Which bridges of an installation run now, in any process sharing the database. */
export function bridgeLiveness(
  database: Database,
  installationId: string,
  now: number,
  isAlive: (pid: number) => boolean = processIsAlive,
): BridgeLiveness {
  const thisHost = hostname();
  const rows = database
    .prepare<[string], RunRow>('SELECT * FROM bridge_runs WHERE installation_id = ?')
    .all(installationId);
  const running = rows.filter((row) => heartbeatIsLive(row, now, thisHost, isAlive)).map(toRun);
  if (running.length > 0) return { running, lastRun: undefined };
  return { running: [], lastRun: lastEndedRun(rows, toRun) };
}
