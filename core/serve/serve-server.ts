import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Envelope } from '../../common/api/envelope.js';
import { isOperationName } from '../../common/api/operations.js';
import { CompanionError, toErrorShape } from '../../common/errors/companion-error.js';
import type { ErrorShape } from '../../common/errors/error-shape.js';
import { readBounded } from '../io/bounded-read.js';
import { limitConnections, LOOPBACK_CONNECTION_LIMITS } from '../net/connection-limits.js';
import type { Logger } from '../logging/logger.js';
import type { CompanionService } from '../service/companion-service.js';
import { bundleRelativePath, contentSecurityPolicy, contentTypeFor } from './bundle-path.js';
import {
  displayHost,
  isAllowedFetchSite,
  isAllowedHost,
  isAllowedOrigin,
  isLoopbackHost,
  TOKEN_HEADER,
  tokensEqual,
  type HostPolicy,
} from './serve-security.js';
import { readBoundedFile } from '../io/bounded-file.js';

export interface ServeOptions {
  readonly service: CompanionService;
  /** The built renderer (`dist/renderer`). */
  readonly bundleDir: string;
  readonly host?: string;
  readonly port?: number;
  readonly logger: Logger;
  /** Fixed token for tests; a fresh random one per start otherwise. */
  readonly token?: string;
}

export interface RunningServe {
  /** The URL to open, with the access token: `http://127.0.0.1:PORT/?token=…`. */
  readonly url: string;
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  /** False when bound beyond loopback (the CLI warns). */
  readonly loopbackOnly: boolean;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;

const BASE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

function statusFor(error: ErrorShape): number {
  switch (error.code) {
    case 'SERVE_ACCESS_DENIED':
      return 401;
    case 'SERVE_HOST_REFUSED':
    case 'SERVE_ORIGIN_REFUSED':
      return 403;
    case 'SERVE_NOT_FOUND':
      return 404;
    case 'INPUT_INVALID':
      return 400;
    case 'INTERNAL_ERROR':
      return 500;
    default:
      return error.code.endsWith('_NOT_FOUND') ? 404 : 422;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    ...BASE_HEADERS,
    'content-type': 'application/json; charset=utf-8',
  });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, error: unknown): void {
  const shape = toErrorShape(error);
  const envelope: Envelope<never> = { ok: false, error: shape };
  sendJson(response, statusFor(shape), envelope);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const body = await readBounded(
    request,
    MAX_BODY_BYTES,
    () => new CompanionError('INPUT_INVALID', `request body exceeds ${MAX_BODY_BYTES} bytes`),
  );
  return body.toString('utf8');
}

/**
 * The UI over HTTP for machines without a desktop (`bdc-companion serve`).
 *
 * Every request passes, in order: the Host check (DNS rebinding) and the Origin and
 * Sec-Fetch-Site checks (cross-site requests). The UI's files are the public bundle; every API
 * call and the event stream also need the access token in the `X-Companion-Token` header. The
 * token reaches the page in the URL's fragment (`/#token=…`), which a browser never sends or logs;
 * no cookie carries it (docs/security.md). Operations are `POST /api/<operation>` with the
 * arguments array as JSON; events are a `text/event-stream` on `GET /api/events`.
 */
function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('base64url');
  const { service, logger } = options;
  const streams = new Set<ServerResponse>();
  let policy: HostPolicy = { bindHost: host, port: options.port ?? 0 };

  async function serveStatic(
    pathname: string,
    response: ServerResponse,
    headOnly: boolean,
  ): Promise<void> {
    const relative = bundleRelativePath(pathname);
    if (relative === undefined) throw new CompanionError('SERVE_NOT_FOUND', 'no such page');
    let body: Buffer;
    try {
      body = await readBoundedFile(join(options.bundleDir, relative), 'uiAsset');
    } catch {
      throw new CompanionError('SERVE_NOT_FOUND', `no such page: ${pathname}`);
    }
    response.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': contentTypeFor(relative),
      'content-security-policy': contentSecurityPolicy(),
    });
    response.end(headOnly ? undefined : body);
  }

  function openEventStream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    response.write(': connected\n\n');
    streams.add(response);
    const unsubscribe = service.onEvent((event) => {
      response.write(`data: ${JSON.stringify(event)}\n\n`);
    });
    const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    request.on('close', () => {
      clearInterval(keepalive);
      unsubscribe();
      streams.delete(response);
    });
  }

  async function callOperation(
    name: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (!isOperationName(name)) throw new CompanionError('SERVE_NOT_FOUND', `no operation ${name}`);
    const type = request.headers['content-type'] ?? '';
    // A JSON content type forces a CORS preflight on any cross-origin attempt.
    if (!type.startsWith('application/json')) {
      throw new CompanionError('INPUT_INVALID', 'operations take an application/json body');
    }
    const text = await readBody(request);
    let args: unknown;
    try {
      args = text === '' ? [] : JSON.parse(text);
    } catch {
      throw new CompanionError('INPUT_INVALID', 'the request body is not JSON');
    }
    if (!Array.isArray(args)) throw new CompanionError('INPUT_INVALID', 'the body must be a list');
    const value = await service.invoke(name, args);
    const envelope: Envelope<unknown> = { ok: true, value: value ?? null };
    sendJson(response, 200, envelope);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isAllowedHost(request.headers.host, policy)) {
      throw new CompanionError('SERVE_HOST_REFUSED', 'this server does not answer to that Host');
    }
    const origin = request.headers.origin;
    const fetchSite = request.headers['sec-fetch-site'] as string | undefined;
    const url = new URL(request.url ?? '/', 'http://serve.invalid');
    const isApi = url.pathname.startsWith('/api/');
    if (!isAllowedOrigin(origin, policy) || (isApi && !isAllowedFetchSite(fetchSite))) {
      throw new CompanionError('SERVE_ORIGIN_REFUSED', 'cross-site requests are refused');
    }

    if (isApi && !tokensEqual(headerValue(request, TOKEN_HEADER), token)) {
      throw new CompanionError('SERVE_ACCESS_DENIED', 'missing or wrong access token');
    }

    if (isApi) {
      if (url.pathname === '/api/events' && request.method === 'GET') {
        openEventStream(request, response);
        return;
      }
      if (request.method !== 'POST') throw new CompanionError('SERVE_NOT_FOUND', 'use POST');
      await callOperation(url.pathname.slice('/api/'.length), request, response);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw new CompanionError('SERVE_NOT_FOUND', 'pages are GET only');
    }
    await serveStatic(url.pathname, response, request.method === 'HEAD');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const shape = toErrorShape(error);
      if (shape.code === 'INTERNAL_ERROR')
        logger.error('serve request failed', { error: shape.message });
      sendError(response, error);
    });
  });
  // Long operations (awaitOAuth) hold a request open while the user signs in; sockets are still
  // capped before any request is parsed (docs/security.md).
  server.requestTimeout = 0;
  limitConnections(server, LOOPBACK_CONNECTION_LIMITS);

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CompanionError(
          'SERVE_LISTEN_FAILED',
          `cannot listen on ${host}:${options.port ?? 0}: ${error.code ?? error.message}`,
          {
            cause: error,
            data: { host, port: options.port ?? 0 },
          },
        ),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  policy = { bindHost: host, port };
  const origin = `http://${displayHost(host)}:${port}`;

  return {
    url: `${origin}/#token=${token}`,
    origin,
    host,
    port,
    loopbackOnly: isLoopbackHost(host),
    async close() {
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
