import { randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { readBody, sendJson } from '../http/respond.js';
import { generateServerPkiAsync } from '../pki.js';
import type { PlatformBehaviour, PlatformDelivery, RunningPlatform } from '../simulator-api.js';
import { hubSignature } from '../webhooks/payloads.js';
import { createBridgeEndpoint } from './bridge-endpoint.js';

export interface PlatformOptions {
  readonly dataDir: string;
  readonly now: () => number;
  readonly installationId?: string;
  readonly webhookSecret?: string;
  readonly port?: number;
}

/** What the platform stand-in adds to the shared `RunningPlatform` handle. */
export interface RunningPlatformStandIn extends RunningPlatform {
  readonly port: number;
  addInstallation(installationId: string, webhookSecret: string): void;
  clearDeliveries(): void;
  /** Resolves once `count` deliveries have arrived (or rejects after `timeoutMs`). */
  waitForDeliveries(count: number, timeoutMs?: number): Promise<readonly PlatformDelivery[]>;
}

const MAX_BODY = 10 * 1024 * 1024;
const WEBHOOK_PATH = /^\/webhooks\/bitbucket-dc\/([^/]+)$/;

/**
 * The Ankra platform's webhook receiver, as far as the companion can see it: HTTPS with its own
 * CA, `POST /webhooks/bitbucket-dc/{installation_id}`, signature verified with that
 * installation's secret, every delivery recorded byte-exact with duplicates counted by
 * X-Request-Id, and failure modes on demand (status, hang, delay).
 *
 * Admin (not the platform's API): `GET /admin/deliveries`, `POST /admin/behaviour`,
 * `POST /admin/installations` `{installationId, webhookSecret}`, `POST /admin/clear`.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatformStandIn> {
  const pki = await generateServerPkiAsync({
    keyType: 'ec',
    name: 'Platform Stand-in',
    now: options.now,
  });
  const caFile = join(options.dataDir, 'platform-root-ca.pem');
  await writeFile(caFile, pki.root.certPem);
  const installationId = options.installationId ?? `inst-${randomBytes(6).toString('hex')}`;
  const webhookSecret = options.webhookSecret ?? randomBytes(24).toString('base64url');
  const secrets = new Map<string, string>([[installationId, webhookSecret]]);
  const deliveries: (PlatformDelivery & { readonly status: number })[] = [];
  const acceptedIds = new Set<string>();
  const waiters = new Set<() => void>();
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let behaviour: PlatformBehaviour = { kind: 'ok' };
  const bridge = createBridgeEndpoint({ now: options.now });
  const bridgeToken = bridge.issueToken(installationId);

  const notify = (): void => {
    for (const waiter of waiters) waiter();
  };

  const receive = async (
    request: IncomingMessage,
    response: ServerResponse,
    id: string,
  ): Promise<void> => {
    const secret = secrets.get(id);
    if (secret === undefined) {
      sendJson(response, 404, { error: 'unknown installation' });
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request, MAX_BODY);
    } catch {
      sendJson(response, 413, { error: 'payload too large' });
      return;
    }
    const headers: Record<string, string> = {};
    for (let index = 0; index < request.rawHeaders.length; index += 2) {
      headers[request.rawHeaders[index]!.toLowerCase()] = request.rawHeaders[index + 1]!;
    }
    const signatureValid = verify(secret, body, headers['x-hub-signature']);
    const requestId = headers['x-request-id'] ?? '';
    const current = behaviour;
    const status = !signatureValid
      ? 401
      : current.kind === 'status'
        ? current.status
        : current.kind === 'hang'
          ? 0
          : 202;
    const duplicate = requestId !== '' && acceptedIds.has(requestId);
    const accepted = status >= 200 && status < 300;
    if (accepted && requestId) acceptedIds.add(requestId);
    deliveries.push({
      installationId: id,
      headers,
      body,
      signatureValid,
      duplicate,
      receivedAt: options.now(),
      status,
    });
    notify();
    if (current.kind === 'hang' && signatureValid) {
      hanging.add(response);
      return;
    }
    if (current.kind === 'delay' && signatureValid) {
      await new Promise((resolve) => setTimeout(resolve, current.delayMs));
    }
    if (!signatureValid) sendJson(response, 401, { error: 'invalid signature' });
    else if (accepted) sendJson(response, status, { ok: true, duplicate });
    else sendJson(response, status, { error: `simulated failure ${status}` });
  };

  const admin = async (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
  ): Promise<void> => {
    if (path === '/admin/deliveries' && request.method === 'GET') {
      sendJson(response, 200, {
        deliveries: deliveries.map((delivery) => ({
          installationId: delivery.installationId,
          headers: delivery.headers,
          bodyBase64: delivery.body.toString('base64'),
          signatureValid: delivery.signatureValid,
          duplicate: delivery.duplicate,
          receivedAt: delivery.receivedAt,
          status: delivery.status,
        })),
        duplicates: deliveries.filter((delivery) => delivery.duplicate).length,
      });
      return;
    }
    if (request.method !== 'POST') {
      sendJson(response, 404, { error: 'not found' });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(request, 64 * 1024)).toString('utf8')) as Record<
        string,
        unknown
      >;
    } catch {
      sendJson(response, 400, { error: 'body must be JSON' });
      return;
    }
    if (path === '/admin/behaviour') {
      const parsed = parseBehaviour(body);
      if (!parsed) {
        sendJson(response, 400, { error: 'unknown behaviour' });
        return;
      }
      handle.setBehaviour(parsed);
      sendJson(response, 200, { ok: true });
      return;
    }
    if (path === '/admin/installations') {
      const id = body['installationId'];
      const secret = body['webhookSecret'];
      if (typeof id !== 'string' || typeof secret !== 'string' || !id || !secret) {
        sendJson(response, 400, { error: 'installationId and webhookSecret are required' });
        return;
      }
      secrets.set(id, secret);
      const token = bridge.token(id) ?? bridge.issueToken(id);
      sendJson(response, 200, { ok: true, bridgeToken: token });
      return;
    }
    if (path === '/admin/clear') {
      handle.clearDeliveries();
      sendJson(response, 200, { ok: true });
      return;
    }
    sendJson(response, 404, { error: 'not found' });
  };

  const server = createHttpsServer(
    { key: pki.server.keyPem, cert: pki.server.certPem + pki.intermediate.certPem },
    (request, response) => {
      const path = new URL(request.url ?? '/', 'https://127.0.0.1').pathname;
      const match = WEBHOOK_PATH.exec(path);
      const work =
        match && request.method === 'POST'
          ? receive(request, response, decodeURIComponent(match[1]!))
          : path.startsWith('/admin/')
            ? admin(request, response, path)
            : path.startsWith('/_sim/bridge')
              ? bridge.handleHttp(request, response, path).then((handled) => {
                  if (!handled) sendJson(response, 404, { error: 'not found' });
                })
              : Promise.resolve(sendJson(response, 404, { error: 'not found' }));
      work.catch(() => {
        if (!response.headersSent) sendJson(response, 500, { error: 'stand-in failure' });
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    bridge.handleUpgrade(request, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const handle: RunningPlatformStandIn = {
    url: `https://127.0.0.1:${port}`,
    port,
    caFile,
    caPem: pki.root.certPem,
    installationId,
    webhookSecret,
    deliveries: () => deliveries,
    bridge,
    bridgeToken,
    setBehaviour: (next) => {
      behaviour = next;
      if (next.kind !== 'hang') {
        for (const response of hanging) response.destroy();
        hanging.clear();
      }
    },
    addInstallation: (id, secret) => {
      secrets.set(id, secret);
      if (bridge.token(id) === undefined) bridge.issueToken(id);
    },
    clearDeliveries: () => {
      deliveries.length = 0;
      acceptedIds.clear();
    },
    waitForDeliveries: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (deliveries.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(deliveries);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} deliveries, got ${deliveries.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        bridge.close();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return handle;
}

/** Constant-time check of `sha256=<hex>` against the HMAC of the raw body. */
export function verify(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(hubSignature(secret, body));
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseBehaviour(body: Record<string, unknown>): PlatformBehaviour | undefined {
  switch (body['kind']) {
    case 'ok':
      return { kind: 'ok' };
    case 'hang':
      return { kind: 'hang' };
    case 'status':
      return typeof body['status'] === 'number'
        ? { kind: 'status', status: body['status'] }
        : undefined;
    case 'delay':
      return typeof body['delayMs'] === 'number'
        ? { kind: 'delay', delayMs: body['delayMs'] }
        : undefined;
    default:
      return undefined;
  }
}
