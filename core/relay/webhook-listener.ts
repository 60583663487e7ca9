import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger.js';
import { forwardedHeaders } from './delivery-rows.js';
import type { DeliveryStore, IncomingDelivery, InsertOutcome } from './delivery-store.js';
import type { GroupCommit } from './group-commit.js';
import type { RelayEvents } from './relay-events.js';
import { repositoryKey } from './repository-key.js';
import { claimReachNonce, reachNonceOf } from './proof-of-reach.js';
import type { SecretCache } from './secret-cache.js';
import { verifySignature } from './signature.js';

export const WEBHOOK_PATH_PREFIX = '/webhooks/bitbucket-dc/';
export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
export const PING_EVENT = 'diagnostics:ping';

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
  readonly onStored: () => void;
  /** Starts forwarding while the delivery commits (see `Forwarder.expedite`); false if it did not. */
  readonly expedite?: (
    delivery: {
      readonly repository: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: Buffer;
      readonly receivedAt: number;
    },
    stored: Promise<InsertOutcome>,
  ) => boolean;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * The HTTP side of the relay: what BDC talks to.
 *
 * Order of checks: route, size (413 before reading more than the limit), signature (401, never
 * stored or forwarded), ping (200; recorded as "BDC reached the relay" only with a live one-time
 * nonce, see proof-of-reach.ts), allowlist (200 and
 * dropped), then persist-then-acknowledge: the 200 is written only after the transaction holding
 * the delivery has committed. Nothing here waits for the platform, so acknowledgements stay fast
 * during a platform outage and BDC's circuit breaker never trips because of it.
 */
export function createWebhookHandler(
  options: ListenerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { installation } = options;
  const path = WEBHOOK_PATH_PREFIX + encodeURIComponent(installation.platformInstallationId);
  return (request, response) => {
    const url = (request.url ?? '/').split('?')[0] as string;
    if (url === '/healthz') {
      healthz(options, request, response);
      return;
    }
    if (url !== path && url !== `${path}/`) {
      reply(response, 404, { error: 'not found' });
      request.resume();
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      reply(response, 405, { error: 'method not allowed' });
      request.resume();
      return;
    }
    const arrived = installation.secrets.stamp();
    const receivedAt = options.now();
    readBody(request, options.bodyLimitBytes).then(
      (body) => {
        if (body === undefined) {
          tooLarge(options, request, response);
          return;
        }
        accept(options, request, response, body, arrived, receivedAt).catch((error: unknown) => {
          options.logger.error('relay could not store a delivery', { error: String(error) });
          reply(response, 503, { error: 'the relay could not store the delivery' });
        });
      },
      () => {
        // The client went away mid-body: there is nobody to answer.
        response.destroy();
      },
    );
  };
}

async function accept(
  options: ListenerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  arrived: number,
  receivedAt: number,
): Promise<void> {
  const { installation, store, commits, events } = options;
  const eventKey = header(request, 'x-event-key') ?? '';
  const signature = header(request, 'x-hub-signature');
  const id = installation.installationId;
  const at = new Date(receivedAt).toISOString();

  // BDC's test call is unsigned ("ping hook is not signed"); a signed one must still verify.
  if (eventKey === PING_EVENT && signature === undefined) {
    await answerPing(options, request, response, receivedAt);
    return;
  }

  let check = verifySignature(signature, body, installation.secrets.current);
  if (check === 'invalid') {
    // The secret may have been rotated by another process since it was loaded.
    check = verifySignature(signature, body, await installation.secrets.loadedSince(arrived));
  }
  if (check !== 'valid') {
    const reason = check === 'missing' ? 'signature-missing' : 'signature-invalid';
    await commits.run(() => store.bump(id, 'rejected', receivedAt, reason));
    events.emit({ kind: 'rejected', reason, at });
    options.logger.warn('relay refused a delivery', { reason, eventKey });
    reply(response, 401, {
      error:
        check === 'missing'
          ? 'X-Hub-Signature is missing: configure the webhook secret in BDC'
          : 'X-Hub-Signature does not match the webhook secret',
    });
    return;
  }

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
  const outcome = await stored;
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
  response.setHeader('Connection', 'close');
  reply(response, 413, { error: `the body exceeds ${options.bodyLimitBytes} bytes` });
  // Drain a little so the client can read the answer; a huge or endless body is cut off.
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > options.bodyLimitBytes * 2) request.destroy();
  });
  request.resume();
}

/** The raw body, or undefined when it exceeds the limit (declared or actual). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        request.off('data', onData);
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    request.once('error', reject);
    request.once('aborted', () => reject(new Error('aborted')));
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
