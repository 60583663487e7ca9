import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliveryStore, type IncomingDelivery } from '../../../core/relay/delivery-store.js';
import {
  deliveryDetail,
  listDeliveriesWithAttempts,
  relayStatus,
  replayDeadDeliveries,
} from '../../../core/relay/relay-queries.js';
import { openDatabase } from '../../../core/storage/database.js';

const homes: { database: Database; home: string }[] = [];
function database(): Database {
  const home = mkdtempSync(join(tmpdir(), 'delivery-queries-'));
  const opened = openDatabase(home);
  homes.push({ database: opened, home });
  return opened;
}
afterEach(() => {
  for (const { database: opened, home } of homes.splice(0)) {
    opened.close();
    rmSync(home, { recursive: true, force: true });
  }
});

const incoming = (requestId: string, at: number): IncomingDelivery => ({
  installationId: 'inst-1',
  requestId,
  eventKey: 'repo:refs_changed',
  repository: `P/r-${requestId}`,
  contentType: 'application/json',
  signature: undefined,
  body: Buffer.from('{}'),
  receivedAt: at,
});

function recount(db: Database, state: string): number {
  return (
    db
      .prepare('SELECT COUNT(*) AS n FROM relay_deliveries WHERE installation_id = ? AND state = ?')
      .get('inst-1', state) as { n: number }
  ).n;
}

describe('the relay queue’s read side', () => {
  it('keeps the per-state counts equal to a recount through insert, retry, delivery, dead letter, replay and pruning', () => {
    const db = database();
    const store = deliveryStore(db);
    const ids = store
      .insertMany(['a', 'b', 'c', 'd'].map((id, index) => incoming(id, 1_000 + index)))
      .map((outcome) => (outcome.kind === 'stored' ? outcome.delivery.id : -1));
    store.insertMany([incoming('a', 2_000)]); // a duplicate is not a delivery
    const attempt = (id: number, step: Parameters<typeof store.recordAttempt>[1]['step']) =>
      store.recordAttempt('inst-1', {
        deliveryId: id,
        at: 5_000,
        status: 500,
        latencyMs: 1,
        error: 'down',
        responseExcerpt: undefined,
        step,
      });
    attempt(ids[0]!, { kind: 'retry', at: 6_000 });
    attempt(ids[0]!, { kind: 'delivered' });
    attempt(ids[1]!, { kind: 'dead', reason: 'refused' });
    attempt(ids[2]!, { kind: 'dead', reason: 'refused' });
    const check = () => {
      const status = relayStatus(db, 'inst-1', 10_000);
      expect([status.pending, status.delivered, status.dead]).toEqual([
        recount(db, 'pending'),
        recount(db, 'delivered'),
        recount(db, 'dead'),
      ]);
      return status;
    };
    expect(check()).toMatchObject({ pending: 1, delivered: 1, dead: 2, duplicates: 1 });
    expect(replayDeadDeliveries(db, 'inst-1', 7_000)).toHaveLength(2);
    expect(check()).toMatchObject({ pending: 3, delivered: 1, dead: 0 });
    expect(store.pruneDelivered('inst-1', 9_000)).toBe(1);
    expect(check()).toMatchObject({
      pending: 3,
      delivered: 0,
      dead: 0,
      oldestPendingAgeMs: 10_000 - 1_003,
    });
  });

  it('lists a page with every attempt log in a fixed number of queries, prepared once', () => {
    const db = database();
    const store = deliveryStore(db);
    const ids = store
      .insertMany(Array.from({ length: 30 }, (_, index) => incoming(`r${index}`, 1_000 + index)))
      .map((outcome) => (outcome.kind === 'stored' ? outcome.delivery.id : -1));
    for (const id of ids.slice(0, 10)) {
      store.recordAttempt('inst-1', {
        deliveryId: id,
        at: 5_000,
        status: 502,
        latencyMs: 3,
        error: 'bad gateway',
        responseExcerpt: undefined,
        step: { kind: 'retry', at: 6_000 },
      });
    }
    relayStatus(db, 'inst-1', 10_000);
    listDeliveriesWithAttempts(db, 'inst-1', { limit: 50 });

    const prepare = vi.spyOn(db, 'prepare');
    const page = listDeliveriesWithAttempts(db, 'inst-1', { limit: 50 });
    relayStatus(db, 'inst-1', 10_000);
    expect(prepare).not.toHaveBeenCalled();
    prepare.mockRestore();

    expect(page).toHaveLength(30);
    for (const delivery of page) {
      expect(delivery.attemptLog).toEqual(deliveryDetail(db, 'inst-1', delivery.id).attempts);
    }
    expect(page.filter((delivery) => delivery.attemptLog.length === 1)).toHaveLength(10);
  });
});
