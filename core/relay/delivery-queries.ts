import type { Database, Statement } from 'better-sqlite3';
import { CompanionError } from '../../common/errors/companion-error.js';
import type {
  DeliveryAttempt,
  DeliveryState,
  RelayDelivery,
  RelayDeliveryDetail,
  RelayStatus,
} from '../../common/models/relay.js';
import type { CounterName } from './delivery-store.js';
import {
  DELIVERY_COLUMNS,
  forwardedHeaders,
  iso,
  toAttempt,
  toDelivery,
  type AttemptRow,
  type DeliveryRow,
} from './delivery-rows.js';

export interface DeliveryListOptions {
  readonly state?: DeliveryState;
  readonly limit?: number;
  readonly beforeId?: number;
}

/** A delivery with the log of its attempts, as the relay view lists them. */
export interface DeliveryWithAttempts extends RelayDelivery {
  readonly attemptLog: readonly DeliveryAttempt[];
}

/**
 * What the UI, the CLI and the status events read from the relay's queue, from any process. The
 * statements are prepared once per database (`deliveryQueries`); the status reads two small
 * tables kept current by the queue itself (counters, and the per-state counts the
 * `relay/004-state-counts` triggers maintain) plus one indexed minimum, so a status event costs
 * the same with ten deliveries or a million.
 */
export class DeliveryQueries {
  private readonly statements: {
    counters: Statement;
    stateCounts: Statement;
    oldestPending: Statement;
    byId: Statement;
    attemptsOf: Statement;
    attemptsOfMany: Statement;
    bodyExcerpt: Statement;
    list: Statement;
  };

  constructor(database: Database) {
    const db = database;
    this.statements = {
      counters: db.prepare(
        'SELECT name, count, last_at, detail FROM relay_counters WHERE installation_id = ?',
      ),
      stateCounts: db.prepare('SELECT state, n FROM relay_state_counts WHERE installation_id = ?'),
      oldestPending: db.prepare(
        `SELECT MIN(queued_at) AS oldest FROM relay_deliveries
         WHERE installation_id = ? AND state = 'pending'`,
      ),
      byId: db.prepare(
        `SELECT ${DELIVERY_COLUMNS}, content_type, signature, source FROM relay_deliveries
         WHERE installation_id = ? AND id = ?`,
      ),
      attemptsOf: db.prepare('SELECT * FROM relay_attempts WHERE delivery_id = ? ORDER BY number'),
      // One query for the attempts of a whole page (the ids as a JSON array), not one per row.
      attemptsOfMany: db.prepare(
        `SELECT * FROM relay_attempts WHERE delivery_id IN (SELECT value FROM json_each(?))
         ORDER BY delivery_id, number`,
      ),
      bodyExcerpt: db.prepare(
        'SELECT substr(body, 1, 4096) AS b FROM relay_deliveries WHERE id = ?',
      ),
      // Absent filters are NULL and match everything, so one statement serves every combination.
      list: db.prepare(
        `SELECT ${DELIVERY_COLUMNS} FROM relay_deliveries
         WHERE installation_id = @installationId
           AND (@state IS NULL OR state = @state)
           AND (@beforeId IS NULL OR id < @beforeId)
         ORDER BY id DESC LIMIT @limit`,
      ),
    };
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
    const states = new Map(
      (
        this.statements.stateCounts.all(installationId) as { state: DeliveryState; n: number }[]
      ).map((row) => [row.state, row.n]),
    );
    const oldest = (this.statements.oldestPending.get(installationId) as { oldest: number | null })
      .oldest;
    const error = counters.get('error');
    const errorDetail = error?.detail ?? undefined;
    const match = errorDetail === undefined ? null : /^#(\d+): /.exec(errorDetail);
    return {
      installationId,
      lastReceivedAt: iso(counters.get('received')?.last_at),
      lastDeliveredAt: iso(counters.get('delivered')?.last_at),
      lastPingAt: iso(counters.get('ping')?.last_at),
      pending: states.get('pending') ?? 0,
      oldestPendingAgeMs: oldest === null ? undefined : Math.max(0, now - oldest),
      delivered: states.get('delivered') ?? 0,
      dead: states.get('dead') ?? 0,
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

  list(installationId: string, options: DeliveryListOptions = {}): RelayDelivery[] {
    const rows = this.statements.list.all({
      installationId,
      state: options.state ?? null,
      beforeId: options.beforeId ?? null,
      limit: Math.max(1, Math.min(options.limit ?? 100, 10_000)),
    }) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  /** A page of deliveries with their attempt logs, in two queries whatever the page size. */
  listWithAttempts(
    installationId: string,
    options: DeliveryListOptions = {},
  ): DeliveryWithAttempts[] {
    const deliveries = this.list(installationId, options);
    const attempts = new Map<number, DeliveryAttempt[]>();
    if (deliveries.length > 0) {
      const ids = JSON.stringify(deliveries.map((delivery) => delivery.id));
      for (const row of this.statements.attemptsOfMany.all(ids) as AttemptRow[]) {
        const log = attempts.get(row.delivery_id) ?? [];
        log.push(toAttempt(row));
        attempts.set(row.delivery_id, log);
      }
    }
    return deliveries.map((delivery) => ({
      ...delivery,
      attemptLog: attempts.get(delivery.id) ?? [],
    }));
  }

  detail(installationId: string, id: number): RelayDeliveryDetail {
    const row = this.statements.byId.get(installationId, id) as
      | (DeliveryRow & {
          content_type: string | null;
          signature: string | null;
          source: string | null;
        })
      | undefined;
    if (row === undefined) throw deliveryNotFound(id);
    const attempts = (this.statements.attemptsOf.all(id) as AttemptRow[]).map(toAttempt);
    const body = (this.statements.bodyExcerpt.get(id) as { b: Buffer }).b;
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
}

export function deliveryNotFound(id: number): CompanionError {
  return new CompanionError('RELAY_DELIVERY_NOT_FOUND', `There is no delivery ${id}.`, {
    data: { id },
  });
}

const cache = new WeakMap<Database, DeliveryQueries>();

/** The queries of one database connection, prepared on first use and kept with it. */
export function deliveryQueries(database: Database): DeliveryQueries {
  let queries = cache.get(database);
  if (queries === undefined) {
    queries = new DeliveryQueries(database);
    cache.set(database, queries);
  }
  return queries;
}
