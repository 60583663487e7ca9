import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { LOOPBACK_CONNECTION_LIMITS } from '../../../core/net/connection-limits.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import { startServe, type RunningServe } from '../../../core/serve/serve-server.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstu';

const auth = { 'x-companion-token': TOKEN };

describe('serve over HTTP', () => {
  let home: string;
  let bundle: string;
  let service: CompanionService;
  let serve: RunningServe;
  let host: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'serve-home-'));
    bundle = mkdtempSync(join(tmpdir(), 'serve-bundle-'));
    writeFileSync(join(bundle, 'index.html'), '<!doctype html><title>ui</title>');
    mkdirSync(join(bundle, 'assets'));
    writeFileSync(join(bundle, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(home, 'secret.txt'), 'not for you');
    service = await openCompanionService({
      home,
      transport: 'http',
      logger: silentLogger,
      secretStore: createMemorySecretStore(),
      env: {},
      oauthRedirect: 'localhost',
    });
    serve = await startServe({ service, bundleDir: bundle, logger: silentLogger, token: TOKEN });
    host = `127.0.0.1:${serve.port}`;
  });

  afterAll(async () => {
    await serve?.close();
    await service?.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(bundle, { recursive: true, force: true });
  });

  it('listens on loopback and prints a URL with the token', () => {
    expect(serve.loopbackOnly).toBe(true);
    expect(serve.url).toBe(`http://127.0.0.1:${serve.port}/#token=${TOKEN}`);
  });

  // Regression (issue 15 item 3): the token was traded for a cookie, and cookies go to every port
  // of 127.0.0.1 — a page from any other local server received it and could replay it.
  it('sets no cookie and takes no token from the query: only the X-Companion-Token header opens the API', async () => {
    const page = await send(serve.port, `/?token=${TOKEN}`, { headers: { host } });
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.status).toBe(200);
    const withCookie = await send(serve.port, '/api/listInstallations', {
      method: 'POST',
      headers: {
        host,
        'content-type': 'application/json',
        cookie: `bdc_companion_session=${TOKEN}`,
      },
      body: '[]',
    });
    expect(withCookie.status).toBe(401);
    const withQuery = await send(serve.port, `/api/listInstallations?token=${TOKEN}`, {
      method: 'POST',
      headers: { host, 'content-type': 'application/json' },
      body: '[]',
    });
    expect(withQuery.status).toBe(401);
    const withHeader = await send(serve.port, '/api/listInstallations', {
      method: 'POST',
      headers: { host, 'content-type': 'application/json', ...auth },
      body: '[]',
    });
    expect(withHeader.status).toBe(200);
  });

  it('serves the public UI bundle with the strict CSP', async () => {
    const reply = await send(serve.port, '/', { headers: { host } });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<title>ui</title>');
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    expect(reply.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses API calls without the token, or with a wrong one', async () => {
    for (const headers of [{}, { 'x-companion-token': 'nope' }]) {
      const api = await send(serve.port, '/api/listInstallations', {
        method: 'POST',
        headers: { host, 'content-type': 'application/json', ...headers },
        body: '[]',
      });
      expect(api.status).toBe(401);
      expect(JSON.parse(api.body)).toMatchObject({
        ok: false,
        error: { code: 'SERVE_ACCESS_DENIED' },
      });
    }
    const events = await send(serve.port, '/api/events', { headers: { host } });
    expect(events.status).toBe(401);
  });

  it('refuses a foreign Host even with the token (DNS rebinding)', async () => {
    const reply = await send(serve.port, `/?token=${TOKEN}`, {
      headers: { host: `rebind.attacker.example:${serve.port}`, ...auth },
    });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).error.code).toBe('SERVE_HOST_REFUSED');
  });

  it('refuses a foreign Origin and cross-site fetches on the API', async () => {
    const foreign = await send(serve.port, '/api/listInstallations', {
      method: 'POST',
      headers: {
        host,
        ...auth,
        origin: 'http://attacker.example',
        'content-type': 'application/json',
      },
      body: '[]',
    });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.code).toBe('SERVE_ORIGIN_REFUSED');
    const crossSite = await send(serve.port, '/api/listInstallations', {
      method: 'POST',
      headers: {
        host,
        ...auth,
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/json',
      },
      body: '[]',
    });
    expect(crossSite.status).toBe(403);
  });

  it('runs operations for its own origin and returns envelopes', async () => {
    const reply = await send(serve.port, '/api/listInstallations', {
      method: 'POST',
      headers: {
        host,
        ...auth,
        origin: `http://${host}`,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
      },
      body: '[]',
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true, value: [] });
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  it('validates arguments before the engine sees them', async () => {
    const reply = await send(serve.port, '/api/removeInstallation', {
      method: 'POST',
      headers: { host, ...auth, 'content-type': 'application/json' },
      body: JSON.stringify([{ installation: 'x', extra: true }]),
    });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error.code).toBe('INPUT_INVALID');
    const notJson = await send(serve.port, '/api/listInstallations', {
      method: 'POST',
      headers: { host, ...auth, 'content-type': 'text/plain' },
      body: '[]',
    });
    expect(notJson.status).toBe(400);
  });

  it('does not serve files outside the bundle', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const reply = await send(serve.port, path, { headers: { host, ...auth } });
      expect(reply.status, path).toBe(404);
      expect(reply.body).not.toContain('not for you');
    }
    expect((await send(serve.port, '/assets/app.js', { headers: { host, ...auth } })).status).toBe(
      200,
    );
  });

  it('streams engine events over SSE', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: serve.port, path: '/api/events', headers: { host, ...auth } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes(': connected'))
              service.ports.events.emit({ kind: 'installations-changed' });
            if (text.includes('installations-changed')) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', (error) =>
        error.message.includes('socket hang up') ? undefined : reject(error),
      );
      req.end();
    });
    expect(received).toContain('data: {"kind":"installations-changed"}');
  });

  it('caps open connections before parsing anything (every client is this machine)', async () => {
    const sockets: Socket[] = [];
    try {
      for (let index = 0; index < LOOPBACK_CONNECTION_LIMITS.total; index += 1) {
        sockets.push(
          await new Promise<Socket>((resolve, reject) => {
            const socket = connect({ host: '127.0.0.1', port: serve.port }, () => resolve(socket));
            socket.on('error', reject);
          }),
        );
      }
      const extra = connect({ host: '127.0.0.1', port: serve.port });
      extra.on('error', () => undefined);
      await new Promise<void>((resolve) => extra.once('close', () => resolve()));
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
