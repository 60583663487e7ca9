import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import type { EndedRelayRun, RelayLiveness, RelayRun } from '../../common/models/relay.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { GroupCommit } from './group-commit.js';

/** How often a running relay records that it is alive. */
export const RELAY_HEARTBEAT_MS = 10_000;
/**
 * A heartbeat older than this means the relay is gone (killed, crashed, or its machine asleep):
 * three missed beats, so one slow commit never makes a live relay look dead.
 */
export const RELAY_HEARTBEAT_STALE_MS = 3 * RELAY_HEARTBEAT_MS;

export interface RelayHeartbeat {
  /** Records a clean stop; `relay status` then says "stopped" rather than "vanished". */
  stop(): Promise<void>;
}

interface RunRow extends HeartbeatRow {
  readonly url: string;
  readonly started_at: number;
}

/** Whether a process of this machine exists (EPERM: it does, under another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Starts recording that this process runs the relay of an installation. Runs that are over are
 * forgotten at start: while this one beats, the last ended run is of no interest.
 */
export function startRelayHeartbeat(
  database: Database,
  commits: GroupCommit,
  run: { readonly installationId: string; readonly url: string },
  options: {
    readonly now: () => number;
    readonly intervalMs?: number;
    readonly logger?: Logger;
  },
): RelayHeartbeat {
  const { now } = options;
  const logger = options.logger ?? silentLogger;
  const host = hostname();
  const pid = process.pid;
  const startedAt = now();
  const others = database
    .prepare<[string], RunRow>('SELECT * FROM relay_runs WHERE installation_id = ?')
    .all(run.installationId);
  const forget = database.prepare(
    'DELETE FROM relay_runs WHERE installation_id = ? AND host = ? AND pid = ?',
  );
  database.transaction(() => {
    for (const other of others) {
      if (!heartbeatIsLive(other, startedAt, host, processIsAlive)) {
        forget.run(run.installationId, other.host, other.pid);
      }
    }
    database
      .prepare(
        `INSERT OR REPLACE INTO relay_runs (installation_id, host, pid, url, started_at, beat_at, stopped_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(run.installationId, host, pid, run.url, startedAt, startedAt);
  })();
  const beat = database.prepare(
    'UPDATE relay_runs SET beat_at = ? WHERE installation_id = ? AND host = ? AND pid = ?',
  );
  const timer = setInterval(() => {
    // Lazy: a beat rides along with the next delivery's commit instead of paying an fsync alone.
    commits
      .run(() => beat.run(now(), run.installationId, host, pid), { lazy: true })
      .catch((error: unknown) => logger.warn('relay heartbeat failed', { error: String(error) }));
  }, options.intervalMs ?? RELAY_HEARTBEAT_MS);
  timer.unref();
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        await commits.run(() =>
          database
            .prepare(
              'UPDATE relay_runs SET stopped_at = ?, beat_at = ? WHERE installation_id = ? AND host = ? AND pid = ?',
            )
            .run(now(), now(), run.installationId, host, pid),
        );
      })();
      return stopping;
    },
  };
}

/** The columns every heartbeat table (relay_runs, bridge_runs) has. */
export interface HeartbeatRow {
  readonly host: string;
  readonly pid: number;
  readonly beat_at: number;
  readonly stopped_at: number | null;
}

/** Whether a recorded run (relay or bridge) is running now: not stopped, beating, not killed. */
export function heartbeatIsLive(
  row: HeartbeatRow,
  now: number,
  thisHost: string,
  isAlive: (pid: number) => boolean,
): boolean {
  if (row.stopped_at !== null || now - row.beat_at > RELAY_HEARTBEAT_STALE_MS) return false;
  // On this machine a killed process is known dead at once; elsewhere only its silence tells.
  return row.host !== thisHost || isAlive(row.pid);
}

/**
 * The run that ended last, and how: a clean stop records stopped_at; a run that vanished (killed,
 * crashed) ended with its last beat.
 */
export function lastEndedRun<Row extends HeartbeatRow, Run>(
  rows: readonly Row[],
  toRun: (row: Row) => Run,
): (Run & { readonly ended: 'stopped' | 'vanished'; readonly endedAt: string }) | undefined {
  const last = [...rows].sort(
    (a, b) => (b.stopped_at ?? b.beat_at) - (a.stopped_at ?? a.beat_at),
  )[0];
  if (last === undefined) return undefined;
  return {
    ...toRun(last),
    ended: last.stopped_at === null ? 'vanished' : 'stopped',
    endedAt: new Date(last.stopped_at ?? last.beat_at).toISOString(),
  };
}

function toRun(row: RunRow): RelayRun {
  return {
    pid: row.pid,
    host: row.host,
    url: row.url,
    startedAt: new Date(row.started_at).toISOString(),
    lastBeatAt: new Date(row.beat_at).toISOString(),
  };
}

/** Which relays of an installation run now, in any process sharing the database. */
export function relayLiveness(
  database: Database,
  installationId: string,
  options: {
    readonly now: number;
    readonly host?: string;
    readonly isAlive?: (pid: number) => boolean;
  },
): RelayLiveness {
  const thisHost = options.host ?? hostname();
  const isAlive = options.isAlive ?? processIsAlive;
  const rows = database
    .prepare<[string], RunRow>('SELECT * FROM relay_runs WHERE installation_id = ?')
    .all(installationId);
  const running = rows.filter((row) => heartbeatIsLive(row, options.now, thisHost, isAlive));
  if (running.length > 0) {
    return {
      running: running.sort((a, b) => a.started_at - b.started_at).map(toRun),
      lastRun: undefined,
    };
  }
  const lastRun: EndedRelayRun | undefined = lastEndedRun(rows, toRun);
  return { running: [], lastRun };
}
