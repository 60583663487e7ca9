import type { DeliveryAttempt, DeliveryState, RelayDelivery } from '../../common/models/relay.js';

/** The relay queue's rows as SQLite returns them, and their shape in the model. */

export interface DeliveryRow {
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

export interface AttemptRow {
  delivery_id: number;
  number: number;
  at: number;
  status: number | null;
  latency_ms: number;
  outcome: 'delivered' | 'retry' | 'dead';
  error: string | null;
  response_excerpt: string | null;
}

export const DELIVERY_COLUMNS = `id, installation_id, request_id, event_key, repository, state, received_at,
  length(body) AS body_bytes, attempts, next_attempt_at, delivered_at, dead_at, last_error, replays`;

export const iso = (ms: number | null | undefined): string | undefined =>
  ms === null || ms === undefined ? undefined : new Date(ms).toISOString();

export function toDelivery(row: DeliveryRow): RelayDelivery {
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

export function toAttempt(row: AttemptRow): DeliveryAttempt {
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

/** Forwarded headers in their canonical spelling; only those BDC actually sent are forwarded. */
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
  // An event the companion built itself (watch mode) says so; BDC's own deliveries do not.
  if (row.source !== undefined && row.source !== null) headers[EVENT_SOURCE_HEADER] = row.source;
  return headers;
}

/** The `X-Ankra-Event-Source` of an event the companion built itself instead of BDC. */
export type EventSource = 'companion-watch';
export const EVENT_SOURCE_HEADER = 'X-Ankra-Event-Source';
