import type { Database, Statement } from 'better-sqlite3';
import type {
  DeliveryAttempt,
  DeliveryState,
  RelayDelivery,
  RelayDeliveryDetail,
  RelayStatus,
} from '../../common/models/relay.js';
import { CompanionError } from '../../common/errors/companion-error.js';
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

/** The `X-Ankra-Event-Source` of an event the companion built itself instead of BDC. */
export type EventSource = 'companion-watch';
export const EVENT_SOURCE_HEADER = 'X-Ankra-Event-Source';

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

interface DeliveryRow {
  id: number;
  installation_id: string;
  request_id: string | null;
  event_key: string;
  repository: string;
  state: DeliveryState;
  received_at: number;
  body_bytes: number;
  attempts: number;
  next_attempt_at: number | null;
  delivered_at: number | null;
  dead_at: number | null;
  last_error: string | null;
  replays: number;
}

interface AttemptRow {
  delivery_id: number;
  number: number;
  at: number;
  status: number | null;
  latency_ms: number;
  outcome: 'delivered' | 'retry' | 'dead';
  error: string | null;
  response_excerpt: string | null;
}

const DELIVERY_COLUMNS = `id, installation_id, request_id, event_key, repository, state, received_at,
  length(body) AS body_bytes, attempts, next_attempt_at, delivered_at, dead_at, last_error, replays`;

const iso = (ms: number | null | undefined): string | undefined =>
  ms === null || ms === undefined ? undefined : new Date(ms).toISOString();

function toDelivery(row: DeliveryRow): RelayDelivery {
  return {
    id: row.id,
    installationId: row.installation_id,
    requestId: row.request_id ?? undefined,
    eventKey: row.event_key,
    repository: row.repository,
    state: row.state,
    receivedAt: new Date(row.received_at).toISOString(),
    bodyBytes: row.body_bytes,
    attempts: row.attempts,
    nextAttemptAt: row.state === 'pending' ? iso(row.next_attempt_at) : undefined,
    deliveredAt: iso(row.delivered_at),
    deadAt: iso(row.dead_at),
    lastError: row.last_error ?? undefined,
    replays: row.replays,
  };
}

function toAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    deliveryId: row.delivery_id,
    number: row.number,
    at: new Date(row.at).toISOString(),
    status: row.status ?? undefined,
    latencyMs: row.latency_ms,
    outcome: row.outcome,
    error: row.error ?? undefined,
    responseExcerpt: row.response_excerpt ?? undefined,
  };
}

/**
 * Forwarded headers in their canonical spelling; only those BDC actually sent are forwarded, plus
 * `X-Ankra-Event-Source` on an event the companion built itself.
 */
export function forwardedHeaders(row: {
  readonly content_type: string | null;
  readonly event_key: string;
  readonly request_id: string | null;
  readonly signature: string | null;
  readonly source?: string | null;
}): Record<string, string> {
  const headers: Record<string, string> = {};
  if (row.content_type !== null) headers['Content-Type'] = row.content_type;
  if (row.event_key !== '') headers['X-Event-Key'] = row.event_key;
  if (row.request_id !== null) headers['X-Request-Id'] = row.request_id;
  if (row.signature !== null) headers['X-Hub-Signature'] = row.signature;
  if (row.source !== undefined && row.source !== null) headers[EVENT_SOURCE_HEADER] = row.source;
  return headers;
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
    findByRequest: Statement;
    bump: Statement;
    heads: Statement;
    loadOutgoing: Statement;
    attemptInsert: Statement;
    markDelivered: Statement;
    markRetry: Statement;
    markDead: Statement;
    wake: Statement;
    counters: Statement;
    pendingSummary: Statement;
    countState: Statement;
    byId: Statement;
    hasPending: Statement;
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
      counters: db.prepare(
        'SELECT name, count, last_at, detail FROM relay_counters WHERE installation_id = ?',
      ),
      pendingSummary: db.prepare(
        `SELECT COUNT(*) AS n, MIN(queued_at) AS oldest FROM relay_deliveries
         WHERE installation_id = ? AND state = 'pending'`,
      ),
      countState: db.prepare(
        'SELECT COUNT(*) AS n FROM relay_deliveries WHERE installation_id = ? AND state = ?',
      ),
      hasPending: db.prepare(
        `SELECT 1 FROM relay_deliveries WHERE installation_id = ? AND state = 'pending'
         AND repository = ? LIMIT 1`,
      ),
      byId: db.prepare(
        `SELECT ${DELIVERY_COLUMNS}, content_type, signature, source FROM relay_deliveries
         WHERE installation_id = ? AND id = ?`,
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
          this.bumpInTransaction(
            installationId,
            'error',
            record.at,
            `#${record.deliveryId}: ${error ?? 'failed'}`,
          );
          break;
        case 'dead':
          this.statements.markDead.run({ deliveryId: record.deliveryId, at: record.at, error });
          this.bumpInTransaction(
            installationId,
            'error',
            record.at,
            `#${record.deliveryId}: ${error ?? 'failed'}`,
          );
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

  status(installationId: string, now: number): RelayStatus {
    const counters = new Map(
      (
        this.statements.counters.all(installationId) as {
          name: CounterName;
          count: number;
          last_at: number | null;
          detail: string | null;
        }[]
      ).map((row) => [row.name, row]),
    );
    const pending = this.statements.pendingSummary.get(installationId) as {
      n: number;
      oldest: number | null;
    };
    const count = (state: DeliveryState): number =>
      (this.statements.countState.get(installationId, state) as { n: number }).n;
    const error = counters.get('error');
    const errorDetail = error?.detail ?? undefined;
    const match = errorDetail === undefined ? null : /^#(\d+): /.exec(errorDetail);
    return {
      installationId,
      lastReceivedAt: iso(counters.get('received')?.last_at),
      lastDeliveredAt: iso(counters.get('delivered')?.last_at),
      lastPingAt: iso(counters.get('ping')?.last_at),
      pending: pending.n,
      oldestPendingAgeMs: pending.oldest === null ? undefined : Math.max(0, now - pending.oldest),
      delivered: count('delivered'),
      dead: count('dead'),
      rejectedSignatures: counters.get('rejected')?.count ?? 0,
      duplicates: counters.get('duplicate')?.count ?? 0,
      dropped: counters.get('dropped')?.count ?? 0,
      lastError:
        error?.last_at === null || error?.last_at === undefined || errorDetail === undefined
          ? undefined
          : {
              at: new Date(error.last_at).toISOString(),
              message: match === null ? errorDetail : errorDetail.slice(match[0].length),
              deliveryId: match === null ? undefined : Number(match[1]),
            },
    };
  }

  list(
    installationId: string,
    options: {
      readonly state?: DeliveryState;
      readonly limit?: number;
      readonly beforeId?: number;
    } = {},
  ): RelayDelivery[] {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 10_000));
    const clauses = ['installation_id = @installationId'];
    if (options.state !== undefined) clauses.push('state = @state');
    if (options.beforeId !== undefined) clauses.push('id < @beforeId');
    const rows = this.database
      .prepare(
        `SELECT ${DELIVERY_COLUMNS} FROM relay_deliveries WHERE ${clauses.join(' AND ')}
         ORDER BY id DESC LIMIT @limit`,
      )
      .all({
        installationId,
        state: options.state ?? null,
        beforeId: options.beforeId ?? null,
        limit,
      }) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  detail(installationId: string, id: number): RelayDeliveryDetail {
    const row = this.statements.byId.get(installationId, id) as
      | (DeliveryRow & {
          content_type: string | null;
          signature: string | null;
          source: string | null;
        })
      | undefined;
    if (row === undefined) throw notFound(id);
    const attempts = (
      this.database
        .prepare('SELECT * FROM relay_attempts WHERE delivery_id = ? ORDER BY number')
        .all(id) as AttemptRow[]
    ).map(toAttempt);
    const body = (
      this.database
        .prepare('SELECT substr(body, 1, 4096) AS b FROM relay_deliveries WHERE id = ?')
        .get(id) as {
        b: Buffer;
      }
    ).b;
    const headers = forwardedHeaders(row);
    if (headers['X-Hub-Signature'] !== undefined) {
      headers['X-Hub-Signature'] = `${headers['X-Hub-Signature'].slice(0, 15)}…`;
    }
    return {
      delivery: toDelivery(row),
      attempts,
      headers,
      bodyExcerpt: Buffer.from(body).toString('utf8'),
    };
  }

  /**
   * Sends a delivered or dead-lettered delivery again: it goes back to pending at the end of its
   * repository's lane, with a fresh maximum age. The bytes and `X-Request-Id` are unchanged, so
   * the platform sees the same delivery (and may deduplicate it).
   */
  replay(installationId: string, id: number, now: number): RelayDelivery {
    return this.database.transaction(() => {
      const row = this.statements.byId.get(installationId, id) as DeliveryRow | undefined;
      if (row === undefined) throw notFound(id);
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
      const ids = (
        this.database
          .prepare(
            `SELECT id FROM relay_deliveries WHERE installation_id = ? AND state = 'dead'
             ORDER BY lane_seq`,
          )
          .all(installationId) as { id: number }[]
      ).map((row) => row.id);
      for (const id of ids) this.requeue(id, now);
      return ids;
    })();
  }

  private requeue(id: number, now: number): void {
    this.database
      .prepare(
        `UPDATE relay_deliveries SET state = 'pending', queued_at = @now, next_attempt_at = @now,
           delivered_at = NULL, dead_at = NULL, replays = replays + 1,
           lane_seq = (SELECT COALESCE(MAX(lane_seq), 0) + 1 FROM relay_deliveries)
         WHERE id = @id`,
      )
      .run({ id, now });
  }

  /** Deletes delivered deliveries (and their attempts) delivered before `cutoff`. */
  pruneDelivered(installationId: string, cutoff: number): number {
    return this.database
      .prepare(
        `DELETE FROM relay_deliveries WHERE installation_id = ? AND state = 'delivered'
         AND delivered_at < ?`,
      )
      .run(installationId, cutoff).changes;
  }
}

function notFound(id: number): CompanionError {
  return new CompanionError('RELAY_DELIVERY_NOT_FOUND', `There is no delivery ${id}.`, {
    data: { id },
  });
}
