import type { Database, Statement } from 'better-sqlite3';
import type { RelayDelivery } from '../../common/models/relay.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import { deliveryNotFound } from './delivery-queries.js';
import {
  DELIVERY_COLUMNS,
  forwardedHeaders,
  type EventSource,
  toDelivery,
  type DeliveryRow,
} from './delivery-rows.js';
import type { NextStep } from './retry-policy.js';

/** A verified delivery as it arrived from BDC, ready to be queued. */
export interface IncomingDelivery {
  readonly installationId: string;
  readonly requestId: string | undefined;
  readonly eventKey: string;
  readonly repository: string;
  readonly contentType: string | undefined;
  readonly signature: string | undefined;
  readonly body: Buffer;
  readonly receivedAt: number;
  /** Who produced it when not BDC's webhook (`companion-watch`); sent as X-Ankra-Event-Source. */
  readonly source?: EventSource;
}

/**
 * A signed delivery whose body and signature the relay already received within this window is
 * a replay, whatever its `X-Request-Id`: it is recorded as a duplicate and not forwarded again.
 * The signature is the HMAC of the body under the installation's secret, so only BDC (or someone
 * replaying what BDC sent) can produce it; two different events never share a body, since BDC's
 * payload carries the event's date and the refs' hashes. Rows delivered longer ago than the
 * retention are pruned, so the window is effectively the shorter of the two (docs/security.md).
 */
export const REPLAY_WINDOW_MS = 24 * 60 * 60 * 1000;

export type InsertOutcome =
  | { readonly kind: 'stored'; readonly delivery: RelayDelivery }
  | { readonly kind: 'duplicate'; readonly requestId: string };

/** What the forwarder needs to send one delivery byte-exact. */
export interface OutgoingDelivery {
  readonly id: number;
  readonly repository: string;
  readonly queuedAt: number;
  readonly attempts: number;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** The head of one repository's lane: the only delivery of that repository that may be sent. */
export interface LaneHead {
  readonly id: number;
  readonly repository: string;
  readonly nextAttemptAt: number;
}

export type CounterName =
  'received' | 'delivered' | 'ping' | 'rejected' | 'duplicate' | 'dropped' | 'error';

export interface AttemptRecord {
  readonly deliveryId: number;
  readonly at: number;
  readonly status: number | undefined;
  readonly latencyMs: number;
  readonly error: string | undefined;
  readonly responseExcerpt: string | undefined;
  readonly step: NextStep;
}

/**
 * The relay's durable queue over the shared SQLite database (`openDatabase`: WAL,
 * synchronous=FULL, so a committed transaction is on disk when `run` returns).
 *
 * Every method is one transaction. The listener calls `insertMany` with all deliveries that
 * arrived in one turn of the event loop (group commit): one fsync covers them all, which is how
 * the relay acknowledges hundreds of deliveries a second durably on a slow disk.
 */
export class DeliveryStore {
  private readonly statements: {
    insert: Statement;
    findBySignature: Statement;
    findByRequest: Statement;
    bump: Statement;
    heads: Statement;
    loadOutgoing: Statement;
    attemptInsert: Statement;
    markDelivered: Statement;
    markRetry: Statement;
    markDead: Statement;
    wake: Statement;
    byId: Statement;
    hasPending: Statement;
    deadIds: Statement;
    requeue: Statement;
    pruneDelivered: Statement;
  };

  constructor(readonly database: Database) {
    const db = database;
    this.statements = {
      insert: db.prepare(
        `INSERT INTO relay_deliveries (installation_id, request_id, event_key, repository,
           content_type, signature, body, received_at, lane_seq, state, queued_at, next_attempt_at,
           source)
         VALUES (@installationId, @requestId, @eventKey, @repository, @contentType, @signature,
           @body, @receivedAt,
           (SELECT COALESCE(MAX(lane_seq), 0) + 1 FROM relay_deliveries),
           'pending', @receivedAt, @receivedAt, @source)
         ON CONFLICT DO NOTHING`,
      ),
      findBySignature: db.prepare(
        `SELECT request_id FROM relay_deliveries
         WHERE installation_id = ? AND lower(signature) = ? AND signature IS NOT NULL
           AND received_at >= ?
         LIMIT 1`,
      ),
      findByRequest: db.prepare(
        'SELECT id FROM relay_deliveries WHERE installation_id = ? AND request_id = ?',
      ),
      bump: db.prepare(
        `INSERT INTO relay_counters (installation_id, name, count, last_at, detail)
         VALUES (@installationId, @name, @count, @at, @detail)
         ON CONFLICT (installation_id, name) DO UPDATE SET
           count = count + excluded.count,
           last_at = MAX(COALESCE(last_at, 0), excluded.last_at),
           detail = COALESCE(excluded.detail, detail)`,
      ),
      heads: db.prepare(
        `SELECT d.id, d.repository, d.next_attempt_at
         FROM (SELECT repository, MIN(lane_seq) AS seq FROM relay_deliveries
               WHERE installation_id = @installationId AND state = 'pending'
               GROUP BY repository) h
         JOIN relay_deliveries d
           ON d.installation_id = @installationId AND d.state = 'pending'
          AND d.repository = h.repository AND d.lane_seq = h.seq
         ORDER BY d.next_attempt_at, d.lane_seq`,
      ),
      loadOutgoing: db.prepare(
        `SELECT id, repository, queued_at, attempts, body, content_type, event_key, request_id,
           signature, source FROM relay_deliveries WHERE id = ? AND state = 'pending'`,
      ),
      attemptInsert: db.prepare(
        `INSERT INTO relay_attempts (delivery_id, number, at, status, latency_ms, outcome, error,
           response_excerpt)
         VALUES (@deliveryId, (SELECT attempts + 1 FROM relay_deliveries WHERE id = @deliveryId),
           @at, @status, @latencyMs, @outcome, @error, @responseExcerpt)`,
      ),
      markDelivered: db.prepare(
        `UPDATE relay_deliveries SET state = 'delivered', attempts = attempts + 1,
           delivered_at = @at, next_attempt_at = NULL, last_error = NULL
         WHERE id = @deliveryId AND state = 'pending'`,
      ),
      markRetry: db.prepare(
        `UPDATE relay_deliveries SET attempts = attempts + 1, next_attempt_at = @nextAt,
           last_error = @error WHERE id = @deliveryId AND state = 'pending'`,
      ),
      markDead: db.prepare(
        `UPDATE relay_deliveries SET state = 'dead', attempts = attempts + 1, dead_at = @at,
           next_attempt_at = NULL, last_error = @error WHERE id = @deliveryId AND state = 'pending'`,
      ),
      wake: db.prepare(
        `UPDATE relay_deliveries SET next_attempt_at = @now
         WHERE installation_id = @installationId AND state = 'pending' AND next_attempt_at > @now`,
      ),
      hasPending: db.prepare(
        `SELECT 1 FROM relay_deliveries WHERE installation_id = ? AND state = 'pending'
         AND repository = ? LIMIT 1`,
      ),
      byId: db.prepare(
        `SELECT ${DELIVERY_COLUMNS}, content_type, signature FROM relay_deliveries
         WHERE installation_id = ? AND id = ?`,
      ),
      deadIds: db.prepare(
        `SELECT id FROM relay_deliveries WHERE installation_id = ? AND state = 'dead'
         ORDER BY lane_seq`,
      ),
      requeue: db.prepare(
        `UPDATE relay_deliveries SET state = 'pending', queued_at = @now, next_attempt_at = @now,
           delivered_at = NULL, dead_at = NULL, replays = replays + 1,
           lane_seq = (SELECT COALESCE(MAX(lane_seq), 0) + 1 FROM relay_deliveries)
         WHERE id = @id`,
      ),
      pruneDelivered: db.prepare(
        `DELETE FROM relay_deliveries WHERE installation_id = ? AND state = 'delivered'
         AND delivered_at < ?`,
      ),
    };
  }

  /**
   * Stores the deliveries in one durable transaction. A delivery whose `X-Request-Id` is already
   * stored is not stored again: it is counted as a duplicate (BDC may send one twice; a crash
   * between commit and acknowledgement makes it do so).
   */
  insertMany(deliveries: readonly IncomingDelivery[]): InsertOutcome[] {
    return this.database.transaction(() =>
      deliveries.map((delivery): InsertOutcome => {
        const replayOf =
          delivery.signature === undefined
            ? undefined
            : (this.statements.findBySignature.get(
                delivery.installationId,
                delivery.signature.toLowerCase(),
                delivery.receivedAt - REPLAY_WINDOW_MS,
              ) as { request_id: string | null } | undefined);
        if (replayOf !== undefined) {
          this.bumpInTransaction(delivery.installationId, 'duplicate', delivery.receivedAt);
          return { kind: 'duplicate', requestId: delivery.requestId ?? replayOf.request_id ?? '' };
        }
        const result = this.statements.insert.run({
          installationId: delivery.installationId,
          requestId: delivery.requestId ?? null,
          eventKey: delivery.eventKey,
          repository: delivery.repository,
          contentType: delivery.contentType ?? null,
          signature: delivery.signature ?? null,
          body: delivery.body,
          receivedAt: delivery.receivedAt,
          source: delivery.source ?? null,
        });
        if (result.changes === 0 && delivery.requestId !== undefined) {
          this.bumpInTransaction(delivery.installationId, 'duplicate', delivery.receivedAt);
          return { kind: 'duplicate', requestId: delivery.requestId };
        }
        this.bumpInTransaction(delivery.installationId, 'received', delivery.receivedAt);
        const id = Number(result.lastInsertRowid);
        return {
          kind: 'stored',
          delivery: {
            id,
            installationId: delivery.installationId,
            requestId: delivery.requestId,
            eventKey: delivery.eventKey,
            repository: delivery.repository,
            state: 'pending',
            receivedAt: new Date(delivery.receivedAt).toISOString(),
            bodyBytes: delivery.body.length,
            attempts: 0,
            nextAttemptAt: new Date(delivery.receivedAt).toISOString(),
            deliveredAt: undefined,
            deadAt: undefined,
            lastError: undefined,
            replays: 0,
          },
        };
      }),
    )();
  }

  /** Counts an event that is not a stored delivery (ping, refused signature, dropped event). */
  bump(installationId: string, name: CounterName, at: number, detail?: string): void {
    this.bumpInTransaction(installationId, name, at, detail);
  }

  private bumpInTransaction(
    installationId: string,
    name: CounterName,
    at: number,
    detail?: string,
    count = 1,
  ): void {
    this.statements.bump.run({ installationId, name, count, at, detail: detail ?? null });
  }

  /** Whether a repository's lane holds a pending delivery (committed rows only). */
  hasPending(installationId: string, repository: string): boolean {
    return this.statements.hasPending.get(installationId, repository) !== undefined;
  }

  /** The head of every repository lane with pending deliveries, soonest due first. */
  laneHeads(installationId: string): LaneHead[] {
    return (
      this.statements.heads.all({ installationId }) as {
        id: number;
        repository: string;
        next_attempt_at: number;
      }[]
    ).map((row) => ({
      id: row.id,
      repository: row.repository,
      nextAttemptAt: row.next_attempt_at,
    }));
  }

  /** Loads a pending delivery's bytes and headers for an attempt; undefined if no longer pending. */
  loadOutgoing(id: number): OutgoingDelivery | undefined {
    const row = this.statements.loadOutgoing.get(id) as
      | {
          id: number;
          repository: string;
          queued_at: number;
          attempts: number;
          body: Buffer;
          content_type: string | null;
          event_key: string;
          request_id: string | null;
          signature: string | null;
          source: string | null;
        }
      | undefined;
    if (row === undefined) return undefined;
    return {
      id: row.id,
      repository: row.repository,
      queuedAt: row.queued_at,
      attempts: row.attempts,
      body: row.body,
      headers: forwardedHeaders(row),
    };
  }

  /** Records one attempt and applies its outcome, in one transaction. */
  recordAttempt(installationId: string, record: AttemptRecord): void {
    const { step } = record;
    const outcome = step.kind;
    const error =
      step.kind === 'dead' ? step.reason : step.kind === 'retry' ? (record.error ?? null) : null;
    this.database.transaction(() => {
      this.statements.attemptInsert.run({
        deliveryId: record.deliveryId,
        at: record.at,
        status: record.status ?? null,
        latencyMs: record.latencyMs,
        outcome,
        error: record.error ?? null,
        responseExcerpt: record.responseExcerpt ?? null,
      });
      // A retry and a dead delivery both show as the installation's latest error.
      const recordFailure = (): void =>
        this.bumpInTransaction(
          installationId,
          'error',
          record.at,
          `#${record.deliveryId}: ${error ?? 'failed'}`,
        );
      switch (step.kind) {
        case 'delivered':
          this.statements.markDelivered.run({ deliveryId: record.deliveryId, at: record.at });
          this.bumpInTransaction(installationId, 'delivered', record.at);
          break;
        case 'retry':
          this.statements.markRetry.run({
            deliveryId: record.deliveryId,
            nextAt: step.at,
            error,
          });
          recordFailure();
          break;
        case 'dead':
          this.statements.markDead.run({ deliveryId: record.deliveryId, at: record.at, error });
          recordFailure();
          break;
        default: {
          const unreachable: never = step;
          throw new Error(`unknown step ${JSON.stringify(unreachable)}`);
        }
      }
    })();
  }

  /**
   * After the platform accepted a delivery, the others waiting out a backoff were most likely
   * failing for the same reason (the platform was down): make them due now, so the queue drains
   * on recovery instead of after the longest backoff.
   */
  wakePending(installationId: string, now: number): number {
    return this.statements.wake.run({ installationId, now }).changes;
  }

  /**
   * Sends a delivered or dead-lettered delivery again: it goes back to pending at the end of its
   * repository's lane, with a fresh maximum age. The bytes and `X-Request-Id` are unchanged, so
   * the platform sees the same delivery (and may deduplicate it).
   */
  replay(installationId: string, id: number, now: number): RelayDelivery {
    return this.database.transaction(() => {
      const row = this.statements.byId.get(installationId, id) as DeliveryRow | undefined;
      if (row === undefined) throw deliveryNotFound(id);
      if (row.state === 'pending') {
        throw new CompanionError('RELAY_DELIVERY_PENDING', `Delivery ${id} is still pending.`, {
          data: { id },
        });
      }
      this.requeue(id, now);
      return toDelivery(this.statements.byId.get(installationId, id) as DeliveryRow);
    })();
  }

  /** Replays every dead-lettered delivery of the installation, oldest first; returns their ids. */
  replayDead(installationId: string, now: number): number[] {
    return this.database.transaction(() => {
      const ids = (this.statements.deadIds.all(installationId) as { id: number }[]).map(
        (row) => row.id,
      );
      for (const id of ids) this.requeue(id, now);
      return ids;
    })();
  }

  private requeue(id: number, now: number): void {
    this.statements.requeue.run({ id, now });
  }

  /** Deletes delivered deliveries (and their attempts) delivered before `cutoff`. */
  pruneDelivered(installationId: string, cutoff: number): number {
    return this.statements.pruneDelivered.run(installationId, cutoff).changes;
  }
}

const cache = new WeakMap<Database, DeliveryStore>();

/** The queue of one database connection, its statements prepared on first use. */
export function deliveryStore(database: Database): DeliveryStore {
  let store = cache.get(database);
  if (store === undefined) {
    store = new DeliveryStore(database);
    cache.set(database, store);
  }
  return store;
}
