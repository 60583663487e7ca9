import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { readBody, sendJson } from '../http/respond.js';

/**
 * The platform side of the bridge (`docs/bridge.md`, protocol v1), written from the contract and
 * not from the companion's code: it accepts `wss://…/bridge/bitbucket-dc/{id}` with the issued
 * bridge token, welcomes the hello, and lets tests call through the bridge:
 *
 * - `POST /_sim/bridge/{id}/http` `{method, path, query?, headers?, id?, discard?}` or `{raw, id}`
 *   (an arbitrary text frame) → `{status, headers, bodyBase64, bodyBytes, truncated}` or `{error}`
 * - `POST /_sim/bridge/{id}/push` (the push frame's fields) → the `push.result` or `error` frame
 * - `GET /_sim/bridge` → the connections, with each one's hello
 * - `POST /_sim/bridge/{id}/send` `{frame}` → sends a text frame without waiting (a `cancel`)
 * - `POST /_sim/bridge/{id}/fault` `{kind: 'drop'|'refuse-token'|'stall-pongs'|'ok'}`
 * - `POST /_sim/bridge/{id}/rotate-token` → `{bridgeToken}` (the old one is refused from then on)
 */
export interface BridgeEndpoint {
  issueToken(installationId: string): string;
  token(installationId: string): string | undefined;
  /** Every frame the platform received, raw (text as string, binary as bytes), capped. */
  receivedFrames(): readonly (string | Buffer)[];
  connections(): readonly BridgeConnectionInfo[];
  /** Upgrade requests seen per installation, accepted or refused. */
  upgradeAttempts(installationId: string): number;
  /**
   * Sends a request frame (`http` or `push`, with its id) and resolves with the answer, as the
   * test calls do; in-process callers (benchmarks) skip the HTTP hop.
   */
  call(
    installationId: string,
    frame: Readonly<Record<string, unknown>> & { readonly id: string },
    options?: { readonly discard?: boolean },
  ): Promise<Record<string, unknown>>;
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  handleHttp(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean>;
  close(): void;
}

export interface BridgeConnectionInfo {
  readonly installationId: string;
  readonly connectedAt: number;
  readonly hello: unknown;
}

interface Pending {
  readonly resolve: (answer: Record<string, unknown>) => void;
  readonly discard: boolean;
  response?: Record<string, unknown>;
  chunks: Buffer[];
  bytes: number;
  hash: ReturnType<typeof createHash>;
  timer: NodeJS.Timeout;
}

interface Connection {
  readonly installationId: string;
  readonly socket: WebSocket;
  readonly connectedAt: number;
  hello: unknown;
  readonly pending: Map<string, Pending>;
}

const PATH = /^\/bridge\/bitbucket-dc\/([^/]+)$/;
const SIM_PATH = /^\/_sim\/bridge\/([^/]+)\/(http|push|send|fault|rotate-token)$/;
const SUBPROTOCOL = 'ankra-bdc-bridge.v1';
const MAX_RECORDED_BYTES = 32 * 1024 * 1024;
const ANSWER_TIMEOUT_MS = 60_000;

export function createBridgeEndpoint(options: { readonly now: () => number }): BridgeEndpoint {
  const tokens = new Map<string, string>();
  const live = new Map<string, Connection>();
  const faults = new Map<string, 'refuse-token' | 'stall-pongs'>();
  const received: (string | Buffer)[] = [];
  let recordedBytes = 0;
  let counter = 0;
  const attempts = new Map<string, number>();
  const server = new WebSocketServer({
    noServer: true,
    autoPong: false,
    // Large enough for any frame the companion may send; the companion's own limits are tested.
    maxPayload: 4 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  const record = (frame: string | Buffer): void => {
    const size = typeof frame === 'string' ? frame.length : frame.length;
    if (recordedBytes + size > MAX_RECORDED_BYTES) return;
    recordedBytes += size;
    received.push(frame);
  };

  const tokenMatches = (installationId: string, header: string | undefined): boolean => {
    const expected = tokens.get(installationId);
    if (expected === undefined || header === undefined) return false;
    const given = Buffer.from(header);
    const wanted = Buffer.from(`Bearer ${expected}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  };

  const finish = (connection: Connection, id: string, answer: Record<string, unknown>): void => {
    const pending = connection.pending.get(id);
    if (pending === undefined) return;
    connection.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(answer);
  };

  const onMessage = (connection: Connection, data: RawData, isBinary: boolean): void => {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (isBinary) {
      record(bytes);
      const end = bytes.indexOf(0);
      const pending = end > 0 ? connection.pending.get(bytes.toString('utf8', 0, end)) : undefined;
      if (pending === undefined) return;
      const body = bytes.subarray(end + 1);
      pending.bytes += body.length;
      pending.hash.update(body);
      if (!pending.discard) pending.chunks.push(Buffer.from(body));
      return;
    }
    const text = bytes.toString('utf8');
    record(text);
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const id = typeof frame['id'] === 'string' ? frame['id'] : undefined;
    switch (frame['type']) {
      case 'hello':
        connection.hello = frame;
        connection.socket.send(JSON.stringify({ type: 'welcome' }));
        return;
      case 'http.response': {
        const pending = id === undefined ? undefined : connection.pending.get(id);
        if (pending) pending.response = frame;
        return;
      }
      case 'http.end': {
        const pending = id === undefined ? undefined : connection.pending.get(id);
        if (!pending || id === undefined) return;
        finish(connection, id, {
          ...pending.response,
          bodyBytes: pending.bytes,
          sha256: pending.hash.digest('hex'),
          ...(pending.discard
            ? {}
            : { bodyBase64: Buffer.concat(pending.chunks).toString('base64') }),
          truncated: frame['truncated'] === true,
        });
        return;
      }
      case 'push.result':
      case 'error':
        if (id !== undefined) finish(connection, id, frame);
        else {
          // An error without id (a frame whose id could not be read) answers the oldest waiter.
          const first = connection.pending.keys().next();
          if (!first.done) finish(connection, first.value, frame);
        }
        return;
      default:
        return;
    }
  };

  const call = (
    installationId: string,
    id: string,
    text: string,
    discard: boolean,
  ): Promise<Record<string, unknown>> => {
    const connection = live.get(installationId);
    if (connection === undefined) {
      return Promise.resolve({ type: 'error', error: { code: 'SIM_NOT_CONNECTED' } });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        connection.pending.delete(id);
        resolve({ type: 'error', id, error: { code: 'SIM_NO_ANSWER' } });
      }, ANSWER_TIMEOUT_MS);
      connection.pending.set(id, {
        resolve,
        discard,
        chunks: [],
        bytes: 0,
        hash: createHash('sha256'),
        timer,
      });
      connection.socket.send(text);
    });
  };

  const dropAll = (installationId: string): void => {
    const connection = live.get(installationId);
    if (connection === undefined) return;
    live.delete(installationId);
    for (const [id] of connection.pending) {
      finish(connection, id, { type: 'error', id, error: { code: 'SIM_CONNECTION_DROPPED' } });
    }
    connection.socket.terminate();
  };

  return {
    issueToken(installationId) {
      const token = `abt_${randomBytes(24).toString('base64url')}`;
      tokens.set(installationId, token);
      return token;
    },
    token: (installationId) => tokens.get(installationId),
    receivedFrames: () => received,
    upgradeAttempts: (installationId) => attempts.get(installationId) ?? 0,
    call: (installationId, frame, callOptions = {}) =>
      call(installationId, frame.id, JSON.stringify(frame), callOptions.discard === true),
    connections: () =>
      [...live.values()].map((connection) => ({
        installationId: connection.installationId,
        connectedAt: connection.connectedAt,
        hello: connection.hello,
      })),
    handleUpgrade(request, socket, head) {
      const path = new URL(request.url ?? '/', 'https://127.0.0.1').pathname;
      const match = PATH.exec(path);
      const reject = (status: number, reason: string): true => {
        socket.end(
          `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        );
        return true;
      };
      if (!match) return reject(404, 'Not Found');
      const installationId = decodeURIComponent(match[1]!);
      attempts.set(installationId, (attempts.get(installationId) ?? 0) + 1);
      if (!tokens.has(installationId)) return reject(404, 'Not Found');
      if (
        faults.get(installationId) === 'refuse-token' ||
        !tokenMatches(installationId, request.headers.authorization)
      ) {
        return reject(401, 'Unauthorized');
      }
      server.handleUpgrade(request, socket, head, (ws) => {
        if (ws.protocol !== SUBPROTOCOL) {
          ws.close(1002, 'subprotocol required');
          return;
        }
        dropAll(installationId);
        const connection: Connection = {
          installationId,
          socket: ws,
          connectedAt: options.now(),
          hello: undefined,
          pending: new Map(),
        };
        live.set(installationId, connection);
        ws.on('ping', (payload) => {
          if (faults.get(installationId) !== 'stall-pongs') ws.pong(payload);
        });
        ws.on('message', (data, isBinary) => onMessage(connection, data, isBinary));
        ws.on('close', () => {
          if (live.get(installationId) === connection) live.delete(installationId);
          for (const [id] of connection.pending) {
            finish(connection, id, {
              type: 'error',
              id,
              error: { code: 'SIM_CONNECTION_DROPPED' },
            });
          }
        });
        ws.on('error', () => undefined);
      });
      return true;
    },
    async handleHttp(request, response, path) {
      if (path === '/_sim/bridge' && request.method === 'GET') {
        sendJson(response, 200, { connections: this.connections() });
        return true;
      }
      const match = SIM_PATH.exec(path);
      if (!match || request.method !== 'POST') return false;
      const installationId = decodeURIComponent(match[1]!);
      const action = match[2]!;
      let body: Record<string, unknown>;
      try {
        const text = (await readBody(request, 8 * 1024 * 1024)).toString('utf8');
        body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      } catch {
        sendJson(response, 400, { error: 'body must be JSON' });
        return true;
      }
      if (action === 'fault') {
        const kind = body['kind'];
        if (kind === 'drop') dropAll(installationId);
        else if (kind === 'refuse-token' || kind === 'stall-pongs')
          faults.set(installationId, kind);
        else if (kind === 'ok') faults.delete(installationId);
        else {
          sendJson(response, 400, { error: 'unknown fault' });
          return true;
        }
        sendJson(response, 200, { ok: true });
        return true;
      }
      if (action === 'send') {
        const connection = live.get(installationId);
        connection?.socket.send(JSON.stringify(body['frame']));
        sendJson(response, connection ? 200 : 409, { ok: connection !== undefined });
        return true;
      }
      if (action === 'rotate-token') {
        sendJson(response, 200, { bridgeToken: this.issueToken(installationId) });
        return true;
      }
      counter += 1;
      const id = typeof body['id'] === 'string' ? body['id'] : `${action[0]}-${counter}`;
      const raw = body['raw'];
      const frame =
        typeof raw === 'string'
          ? raw
          : JSON.stringify({ ...body, type: action, id, discard: undefined });
      sendJson(response, 200, await call(installationId, id, frame, body['discard'] === true));
      return true;
    },
    close() {
      for (const installationId of [...live.keys()]) dropAll(installationId);
      server.close();
    },
  };
}
