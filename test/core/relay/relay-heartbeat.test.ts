import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeRelayLiveness } from '../../../common/relay/relay-liveness-text.js';
import { GroupCommit } from '../../../core/relay/group-commit.js';
import {
  processIsAlive,
  RELAY_HEARTBEAT_STALE_MS,
  relayLiveness,
  startRelayHeartbeat,
} from '../../../core/relay/relay-heartbeat.js';
import { openDatabase } from '../../../core/storage/database.js';

let home: string;
let database: Database;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'relay-heartbeat-'));
  database = openDatabase(home);
});
afterEach(() => {
  database.close();
  rmSync(home, { recursive: true, force: true });
});

const T0 = Date.parse('2026-11-28T10:00:00Z');

describe('relay heartbeat', () => {
  it('says running while this process beats, and stopped after a clean stop', async () => {
    let now = T0;
    const commits = new GroupCommit(database);
    const heartbeat = startRelayHeartbeat(
      database,
      commits,
      { installationId: 'i1', url: 'http://127.0.0.1:8787' },
      { now: () => now, intervalMs: 5 },
    );
    expect(relayLiveness(database, 'i1', { now }).running).toEqual([
      {
        pid: process.pid,
        host: hostname(),
        url: 'http://127.0.0.1:8787',
        startedAt: '2026-11-28T10:00:00.000Z',
        lastBeatAt: '2026-11-28T10:00:00.000Z',
      },
    ]);
    // Another installation's relay is a different thing.
    expect(relayLiveness(database, 'i2', { now })).toEqual({ running: [], lastRun: undefined });
    // The beat moves on with the clock, so the run stays fresh far past the stale limit.
    now = T0 + 2 * RELAY_HEARTBEAT_STALE_MS;
    // Until the next beat (every 5 ms here, committed within 20 ms) lands; generous for CI.
    const deadline = Date.now() + 5000;
    while (relayLiveness(database, 'i1', { now }).running.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(relayLiveness(database, 'i1', { now }).running[0]?.lastBeatAt).toBe(
      new Date(now).toISOString(),
    );
    now += 1000;
    await heartbeat.stop();
    const stopped = relayLiveness(database, 'i1', { now: now + 60_000 });
    expect(stopped.running).toEqual([]);
    expect(stopped.lastRun).toMatchObject({
      ended: 'stopped',
      endedAt: new Date(now).toISOString(),
    });
    expect(describeRelayLiveness(stopped)).toMatchObject({ tone: 'warn' });
  });

  it('tells a relay that went silent or died from one that runs elsewhere', () => {
    const insert = database.prepare(
      `INSERT INTO relay_runs (installation_id, host, pid, url, started_at, beat_at, stopped_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL)`,
    );
    insert.run('i1', 'relay-host', 4242, 'http://10.0.0.5:8787', T0, T0);
    const alive = () => true;
    const dead = () => false;
    // Another machine sharing the home: only its heartbeat can tell, whatever pids exist here.
    expect(
      relayLiveness(database, 'i1', { now: T0 + 1000, host: 'this-host', isAlive: dead }).running,
    ).toHaveLength(1);
    const silent = relayLiveness(database, 'i1', {
      now: T0 + RELAY_HEARTBEAT_STALE_MS + 1,
      host: 'this-host',
      isAlive: alive,
    });
    expect(silent.running).toEqual([]);
    expect(silent.lastRun).toMatchObject({
      pid: 4242,
      ended: 'vanished',
      endedAt: new Date(T0).toISOString(),
    });
    expect(describeRelayLiveness(silent)).toMatchObject({ tone: 'bad' });
    expect(describeRelayLiveness(silent).text).toMatch(/pid 4242 on relay-host went silent/);
    // On the same machine a dead pid is known at once, before its beat gets old.
    expect(
      relayLiveness(database, 'i1', { now: T0 + 1000, host: 'relay-host', isAlive: dead }).lastRun,
    ).toMatchObject({ ended: 'vanished' });
    expect(
      relayLiveness(database, 'i1', { now: T0 + 1000, host: 'relay-host', isAlive: alive }).running,
    ).toHaveLength(1);
  });

  it('forgets runs that are over when a new one starts, and keeps the ones still running', async () => {
    const insert = database.prepare(
      `INSERT INTO relay_runs (installation_id, host, pid, url, started_at, beat_at, stopped_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const now = Date.now();
    insert.run('i1', 'elsewhere', 1, 'http://a', now - 1000, now - 1000, now - 500); // stopped
    insert.run('i1', 'elsewhere', 2, 'http://b', now, now, null); // running elsewhere
    insert.run('i1', 'elsewhere', 3, 'http://c', 0, 0, null); // silent for ages
    const heartbeat = startRelayHeartbeat(
      database,
      new GroupCommit(database),
      { installationId: 'i1', url: 'http://127.0.0.1:1' },
      { now: () => now },
    );
    const pids = relayLiveness(database, 'i1', { now })
      .running.map((run) => run.pid)
      .sort((a, b) => a - b);
    expect(pids).toEqual([2, process.pid].sort((a, b) => a - b));
    expect(database.prepare('SELECT COUNT(*) AS n FROM relay_runs').get()).toEqual({ n: 2 });
    await heartbeat.stop();
  });

  it('knows this process is alive and a reaped child is not', async () => {
    expect(processIsAlive(process.pid)).toBe(true);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('close', resolve));
    expect(processIsAlive(child.pid as number)).toBe(false);
  });
});
