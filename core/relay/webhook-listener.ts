import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger.js';
import { forwardedHeaders } from './delivery-rows.js';
import type { DeliveryStore, IncomingDelivery, InsertOutcome } from './delivery-store.js';
import type { ExpeditedDelivery } from './forwarder.js';
import type { GroupCommit } from './group-commit.js';
import type { RelayEvents } from './relay-events.js';
import { repositoryKey } from './repository-key.js';
import { claimReachNonce, reachNonceOf } from './proof-of-reach.js';
import type { SecretCache } from './secret-cache.js';
import { IntakeBudget } from './intake-budget.js';
import { presentedDigest, StreamingSignature } from './signature.js';

export const WEBHOOK_PATH_PREFIX = '/webhooks/bitbucket-dc/';
export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
export const PING_EVENT = 'diagnostics:ping';
export const REFS_CHANGED_EVENT = 'repo:refs_changed';
/**
 * Body bytes held in memory at once, across all requests being read: 24 MiB for bodies of any
 * size (two of the largest accepted) plus 8 MiB only for bodies up to 256 KiB (BDC's deliveries
 * are a few KiB, so that is room for dozens at once). See `IntakeBudget` and docs/security.md.
 */
export const DEFAULT_INTAKE_BUDGET = {
  sharedBytes: 24 * 1024 * 1024,
  smallReserveBytes: 8 * 1024 * 1024,
  smallBodyBytes: 256 * 1024,
} as const;
/** A body that stops arriving for this long is cut off (a slow-body attack holds memory). */
export const BODY_IDLE_TIMEOUT_MS = 10_000;
/** What is read and thrown away from a refused request so the client can read the answer. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

export interface ListenerInstallation {
  /** The companion's installation id (rows in the queue are keyed by it). */
  readonly installationId: string;
  /** The platform's installation id: the path segment BDC posts to. */
  readonly platformInstallationId: string;
  readonly allowedEvents: readonly string[];
  readonly secrets: SecretCache;
}

export interface ListenerOptions {
  readonly installation: ListenerInstallation;
  readonly store: DeliveryStore;
  readonly commits: GroupCommit;
  readonly events: RelayEvents;
  readonly bodyLimitBytes: number;
  /** Body bytes held at once across requests (default `DEFAULT_INTAKE_BUDGET`). */
  readonly budget?: IntakeBudget;
  readonly bodyIdleTimeoutMs?: number;
  readonly onStored: () => void;
  /** Starts forwarding while the delivery commits (see `Forwarder.expedite`); false if it did not. */
  readonly expedite?: (delivery: ExpeditedDelivery, stored: Promise<InsertOutcome>) => boolean;
  readonly now: () => number;
  readonly logger: Logger;
  /**
   * With watch mode on: runs in the transaction that would store a `repo:refs_changed` delivery,
   * records its changes, and says whether to store it (false: the watch already sent them all).
   */
  readonly admitRefsChanged?: (repository: string, body: Buffer, at: number) => boolean;
}

/**
 * The HTTP side of the relay: what BDC talks to.
 *
 * Order of checks: route; then, from the headers alone and before a byte of the body is read,
 * the signature header (missing or malformed: 401 — except BDC's unsigned test ping, answered
 * without reading its body) and the declared size (413); then the body is read within the
 * intake budget (503 when the relay already holds too many bytes) while its HMAC is computed;
 * a wrong signature is refused (401, never stored or forwarded); then ping (200; recorded as
 * "BDC reached the relay" only with a live one-time nonce, see proof-of-reach.ts), allowlist
 * (200 and dropped), and persist-then-acknowledge: the 200 is written only after the transaction
 * holding the delivery has committed. Nothing here waits for the platform, so acknowledgements
 * stay fast during a platform outage and BDC's circuit breaker never trips because of it.
 */
export function createWebhookHandler(
  options: ListenerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { installation } = options;
  const path = WEBHOOK_PATH_PREFIX + encodeURIComponent(installation.platformInstallationId);
  const budget =
    options.budget ??
    new IntakeBudget(
      DEFAULT_INTAKE_BUDGET.sharedBytes,
      DEFAULT_INTAKE_BUDGET.smallReserveBytes,
      DEFAULT_INTAKE_BUDGET.smallBodyBytes,
    );
  const idleTimeoutMs = options.bodyIdleTimeoutMs ?? BODY_IDLE_TIMEOUT_MS;
  return (request, response) => {
    const url = (request.url ?? '/').split('?')[0] as string;
    if (url === '/healthz') {
      healthz(options, request, response);
      return;
    }
    if (url !== path && url !== `${path}/`) {
      refuse(request, response, 404, { error: 'not found' });
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      refuse(request, response, 405, { error: 'method not allowed' });
      return;
    }
    const arrived = installation.secrets.stamp();
    const receivedAt = options.now();
    const eventKey = header(request, 'x-event-key') ?? '';
    const signature = header(request, 'x-hub-signature');
    const presented = presentedDigest(signature);
    if (presented === 'missing' && eventKey === PING_EVENT) {
      // BDC's test call is unsigned ("ping hook is not signed"): its body is never needed.
      discard(request);
      answerPing(options, request, response, receivedAt).catch((error: unknown) => {
        options.logger.error('relay could not answer a ping', { error: String(error) });
        reply(response, 503, { error: 'the relay could not record the ping' });
      });
      return;
    }
    if (typeof presented === 'string') {
      rejectSignature(options, request, response, presented, eventKey, receivedAt);
      return;
    }
    const digest = presented;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.bodyLimitBytes) {
      tooLarge(options, request, response);
      return;
    }
    readSignedBody(request, {
      limit: options.bodyLimitBytes,
      budget,
      idleTimeoutMs,
      secrets: installation.secrets.current,
    })
      .then(
        async (read) => {
          try {
            await handleBody(read);
          } finally {
            if (read.kind === 'read') read.release();
          }
        },
        () => {
          // The client went away, or stalled mid-body: there is nobody to answer.
          response.destroy();
        },
      )
      .catch((error: unknown) => {
        options.logger.error('relay could not store a delivery', { error: String(error) });
        reply(response, 503, { error: 'the relay could not store the delivery' });
      });

    async function handleBody(read: SignedBody): Promise<void> {
      if (read.kind === 'too-large') {
        tooLarge(options, request, response);
        return;
      }
      if (read.kind === 'busy') {
        options.logger.warn('relay refused a delivery: too many bytes in flight', {
          inFlight: budget.inFlight,
        });
        response.setHeader('Retry-After', '5');
        refuse(request, response, 503, { error: 'the relay is busy; send again shortly' });
        return;
      }
      let valid = read.signature.matches(digest);
      if (!valid) {
        // The secret may have been rotated by another process since it was loaded.
        const reloaded = await installation.secrets.loadedSince(arrived);
        if (!sameSecrets(reloaded, read.signature.secrets)) {
          const again = new StreamingSignature(reloaded);
          again.update(read.body);
          valid = again.matches(digest);
        }
      }
      if (!valid) {
        rejectSignature(options, request, response, 'invalid', eventKey, receivedAt);
        return;
      }
      await accept(
        options,
        request,
        response,
        read.body,
        eventKey,
        signature as string,
        receivedAt,
      );
    }
  };
}

async function accept(
  options: ListenerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  eventKey: string,
  signature: string,
  receivedAt: number,
): Promise<void> {
  const { installation, store, commits, events } = options;
  const id = installation.installationId;
  const at = new Date(receivedAt).toISOString();

  if (eventKey === PING_EVENT) {
    await answerPing(options, request, response, receivedAt);
    return;
  }

  if (!installation.allowedEvents.includes(eventKey)) {
    await commits.run(() => store.bump(id, 'dropped', receivedAt, eventKey));
    events.emit({ kind: 'dropped', eventKey, at });
    reply(response, 200, { ok: true, dropped: true });
    return;
  }

  const incoming: IncomingDelivery = {
    installationId: id,
    requestId: header(request, 'x-request-id'),
    eventKey,
    repository: repositoryKey(body),
    contentType: header(request, 'content-type'),
    signature,
    body,
    receivedAt,
  };
  const admit = eventKey === REFS_CHANGED_EVENT ? options.admitRefsChanged : undefined;
  if (admit !== undefined) {
    // With the watch on, whether to store is decided in the transaction, so nothing is sent
    // before it commits (no expedited send): a change the watch already sent is not sent twice.
    const admitted = await commits.run(() =>
      admit(incoming.repository, body, receivedAt) ? store.insertMany([incoming])[0] : undefined,
    );
    if (admitted === undefined) {
      events.emit({ kind: 'duplicate', requestId: incoming.requestId ?? '' });
      reply(response, 200, { ok: true, duplicate: true, sentByWatch: true });
      return;
    }
    answerStored(options, response, admitted, false);
    return;
  }
  const stored = commits
    .run(() => store.insertMany([incoming]))
    .then((outcomes) => outcomes[0] as InsertOutcome);
  const expedited =
    options.expedite?.(
      {
        repository: incoming.repository,
        headers: forwardedHeaders({
          content_type: incoming.contentType ?? null,
          event_key: incoming.eventKey,
          request_id: incoming.requestId ?? null,
          signature: incoming.signature ?? null,
        }),
        body,
        receivedAt,
      },
      stored,
    ) ?? false;
  answerStored(options, response, await stored, expedited);
}

function answerStored(
  options: ListenerOptions,
  response: ServerResponse,
  outcome: InsertOutcome | undefined,
  expedited: boolean,
): void {
  const { events } = options;
  if (outcome === undefined) throw new Error('the delivery was not stored');
  if (outcome.kind === 'duplicate') {
    events.emit({ kind: 'duplicate', requestId: outcome.requestId });
    reply(response, 200, { ok: true, duplicate: true });
    return;
  }
  reply(response, 200, { ok: true, id: outcome.delivery.id });
  if (!expedited) options.onStored();
  events.emit({ kind: 'received', delivery: outcome.delivery });
}

/**
 * A ping is answered 200 either way (BDC's "Test connection" should succeed), but it is recorded
 * as "BDC reached the relay" only when it burns a live one-time nonce (proof-of-reach.ts): an
 * unsigned request from anyone, or a replayed ping, proves nothing and stores nothing.
 */
async function answerPing(
  options: ListenerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  receivedAt: number,
): Promise<void> {
  const id = options.installation.installationId;
  const nonce = reachNonceOf(request.url);
  const proven =
    nonce !== undefined &&
    (await options.commits.run(() => {
      const claimed = claimReachNonce(options.store.database, id, nonce, receivedAt);
      if (claimed) options.store.bump(id, 'ping', receivedAt);
      return claimed;
    }));
  if (proven) options.events.emit({ kind: 'ping', at: new Date(receivedAt).toISOString() });
  reply(response, 200, { ok: true, ping: true });
}

/**
 * 401 for a signature that is missing, malformed or wrong. The count is bookkeeping (lazy: it
 * rides along with the next commit), so a flood of refusals costs no fsync of its own.
 */
function rejectSignature(
  options: ListenerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  check: 'missing' | 'invalid',
  eventKey: string,
  receivedAt: number,
): void {
  const reason = check === 'missing' ? 'signature-missing' : 'signature-invalid';
  const id = options.installation.installationId;
  options.commits
    .run(() => options.store.bump(id, 'rejected', receivedAt, reason), { lazy: true })
    .catch((error: unknown) =>
      options.logger.warn('relay could not count a refused delivery', { error: String(error) }),
    );
  options.events.emit({ kind: 'rejected', reason, at: new Date(receivedAt).toISOString() });
  options.logger.warn('relay refused a delivery', { reason, eventKey });
  refuse(request, response, 401, {
    error:
      check === 'missing'
        ? 'X-Hub-Signature is missing: configure the webhook secret in BDC'
        : 'X-Hub-Signature does not match the webhook secret',
  });
}

function sameSecrets(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((secret, index) => secret === b[index]);
}

function healthz(
  options: ListenerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  request.resume();
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    reply(response, 405, { error: 'method not allowed' });
    return;
  }
  // Up means the queue can be read; nothing about deliveries or the platform is disclosed here.
  let up: boolean;
  try {
    options.store.database.prepare('SELECT 1').get();
    up = options.store.database.open;
  } catch {
    up = false;
  }
  reply(response, up ? 200 : 503, { status: up ? 'up' : 'down' });
}

function tooLarge(
  options: ListenerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const at = new Date(options.now()).toISOString();
  options.events.emit({ kind: 'rejected', reason: 'body-too-large', at });
  refuse(request, response, 413, { error: `the body exceeds ${options.bodyLimitBytes} bytes` });
}

/**
 * Answers a request whose body will not be used and closes the connection: a little of the body
 * is read and thrown away so the client can read the answer, a large or endless one is cut off.
 */
function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: Readonly<Record<string, unknown>>,
): void {
  response.setHeader('Connection', 'close');
  reply(response, status, body);
  discard(request);
}

/** Reads and drops what is left of a body, up to `DRAIN_LIMIT_BYTES`; beyond that, hangs up. */
function discard(request: IncomingMessage): void {
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) request.destroy();
  });
  request.on('error', () => undefined);
  request.resume();
}

type SignedBody =
  | {
      readonly kind: 'read';
      readonly body: Buffer;
      readonly signature: StreamingSignature;
      /** Gives the body's bytes back to the intake budget (when the delivery is answered). */
      readonly release: () => void;
    }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'busy' };

/**
 * The raw body, with its HMAC computed as it arrived. Bytes are copied into one buffer of the
 * declared length (grown by doubling when no length is declared), so no socket read buffer is
 * kept alive and the heap is not left fragmented by thousands of small chunks after a flood. Every byte held is taken from the
 * intake budget and given back when the request is done (answered, refused or dropped). Rejects
 * when the client goes away or sends nothing for `idleTimeoutMs`.
 */
function readSignedBody(
  request: IncomingMessage,
  options: {
    readonly limit: number;
    readonly budget: IntakeBudget;
    readonly idleTimeoutMs: number;
    readonly secrets: readonly string[];
  },
): Promise<SignedBody> {
  const { budget } = options;
  const signature = new StreamingSignature(options.secrets);
  return new Promise((resolve, reject) => {
    let body: Buffer | undefined;
    let size = 0;
    // Bytes taken from the budget: the declared length at once (so a request that cannot fit is
    // refused before its body is read), or chunk by chunk for a body sent without a length.
    let reserved = 0;
    let settled = false;
    const release = (): void => {
      budget.give(reserved);
      reserved = 0;
    };
    const stop = (): void => {
      request.off('data', onData);
      request.setTimeout(0);
    };
    const finish = (result: SignedBody): void => {
      if (settled) return;
      settled = true;
      stop();
      if (result.kind !== 'read') {
        body = undefined;
        release();
      }
      resolve(result);
    };
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      stop();
      body = undefined;
      release();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > options.limit) {
        finish({ kind: 'too-large' });
        return;
      }
      const needed = size + chunk.length - reserved;
      if (needed > 0) {
        if (!budget.take(reserved, needed)) {
          finish({ kind: 'busy' });
          return;
        }
        reserved += needed;
      }
      signature.update(chunk);
      if (body === undefined || body.length < size + chunk.length) {
        const grown = Buffer.allocUnsafe(
          Math.max(reserved, Math.min(options.limit, 2 * (size + chunk.length))),
        );
        body?.copy(grown, 0, 0, size);
        body = grown;
      }
      chunk.copy(body, size);
      size += chunk.length;
    };
    const declared = Number(request.headers['content-length']);
    if (Number.isSafeInteger(declared) && declared > 0) {
      if (!budget.take(0, declared)) {
        finish({ kind: 'busy' });
        return;
      }
      reserved = declared;
    }
    request.on('data', onData);
    request.once('end', () =>
      finish({
        kind: 'read',
        body: body === undefined ? Buffer.alloc(0) : body.subarray(0, size),
        signature,
        release,
      }),
    );
    request.once('error', fail);
    request.once('aborted', () => fail(new Error('aborted')));
    request.once('close', () => {
      if (!request.complete) fail(new Error('closed'));
    });
    request.setTimeout(options.idleTimeoutMs, () => {
      fail(new Error('body timed out'));
      request.destroy();
    });
  });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  if (Array.isArray(value)) return value[0];
  return value;
}

function reply(
  response: ServerResponse,
  status: number,
  body: Readonly<Record<string, unknown>>,
): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}
