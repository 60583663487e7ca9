import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type Dispatcher } from 'undici';
import type { Database } from 'better-sqlite3';
import { openDatabase } from '../../../core/storage/database.js';
import { signBody } from '../../../core/relay/signature.js';

export interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  readonly at: number;
}

export type Behaviour = { kind: 'ok' } | { kind: 'status'; status: number; retryAfter?: string };

/**
 * A minimal receiver on 127.0.0.1 standing in for the platform in unit-level relay tests; with
 * `tls` it serves HTTPS with that certificate chain (the platform URL must be https).
 */
export async function startReceiver(
  tls?: { cert: string; key: string },
  port = 0,
): Promise<{
  url: string;
  received: Received[];
  behave(behaviour: Behaviour): void;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  let behaviour: Behaviour = { kind: 'ok' };
  const handler: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (behaviour.kind === 'status') {
        if (behaviour.retryAfter !== undefined) res.setHeader('Retry-After', behaviour.retryAfter);
        res.writeHead(behaviour.status).end(`refused with ${behaviour.status}`);
        return;
      }
      received.push({ headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
      res.writeHead(202).end('{"accepted":true}');
    });
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${bound}`,
    received,
    behave: (next) => (behaviour = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function tempHome(): { home: string; database: Database; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), 'relay-test-'));
  const database = openDatabase(home);
  return {
    home,
    database,
    cleanup() {
      database.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A `repo:refs_changed` body in BDC's compact form for one repository. */
export function refsChangedBody(project: string, slug: string, marker: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      eventKey: 'repo:refs_changed',
      date: '2025-05-18T16:57:51+0000',
      actor: { name: 'admin', id: 2 },
      repository: { slug, id: 2, name: slug, project: { key: project, id: 2 } },
      changes: [{ refId: 'refs/heads/main', fromHash: marker, toHash: marker, type: 'UPDATE' }],
    }),
  );
}

export interface PostOptions {
  readonly secret?: string;
  readonly signature?: string | null;
  readonly eventKey?: string;
  readonly requestId?: string;
  /** For a relay serving HTTPS: an agent trusting its CA. */
  readonly dispatcher?: Dispatcher;
}

/** Posts a delivery the way BDC does (headers of docs/bdc-api-facts.md §4.2). */
export async function postDelivery(
  url: string,
  body: Buffer,
  options: PostOptions = {},
): Promise<{ status: number; text: string }> {
  counter += 1;
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'x-event-key': options.eventKey ?? 'repo:refs_changed',
    'x-request-id':
      options.requestId ??
      `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}-${process.pid}`,
    'user-agent': 'Atlassian HttpClient 4.2.0 / Bitbucket-9.5.2 (9005002) / Default',
  };
  if (options.signature !== null) {
    headers['x-hub-signature'] = options.signature ?? signBody(options.secret ?? 'unused', body);
  }
  const response = await request(url, {
    method: 'POST',
    headers,
    body,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  return { status: response.statusCode, text: await response.body.text() };
}

export async function waitFor(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
