import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { CompanionError } from '../../../common/errors/companion-error.js';
import type { Authorization } from '../../../core/auth/authorization.js';
import { createBdcClient } from '../../../core/bdc/bdc-client.js';
import { retryAfterMs } from '../../../core/bdc/bdc-error-envelope.js';
import type { LogFields, Logger } from '../../../core/logging/logger.js';
import { json, startLocalServer, type LocalServer } from './local-server.js';

const TOKEN = 'BBDC-SECRET/TOKEN+VALUE-0123456789';
let server: LocalServer | undefined;
const dispatcher = new Agent();
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function patAuth(): Authorization {
  return {
    kind: 'pat',
    user: 'alice',
    header: async () => `Bearer ${TOKEN}`,
    refresh: async () => false,
  };
}

function recordingLogger(lines: string[]): Logger {
  const log = (message: string, fields?: LogFields) =>
    lines.push(JSON.stringify({ message, fields }));
  const logger: Logger = { error: log, warn: log, info: log, debug: log, child: () => logger };
  return logger;
}

const authRequired = {
  errors: [
    {
      context: null,
      message: 'You are not permitted to access this resource',
      exceptionName:
        'com.atlassian.plugins.rest.api.security.exception.AuthenticationRequiredException',
    },
  ],
};

describe('BDC REST client', () => {
  it('sends the credential and a non-browser User-Agent, and X-Atlassian-Token only on writes', async () => {
    server = await startLocalServer((_request, response) =>
      json(response, 200, { ok: 1 }, { 'x-ausername': 'alice' }),
    );
    const client = createBdcClient({
      baseUrl: `${server.url}/bitbucket/`,
      authorization: patAuth(),
      dispatcher,
    });
    const read = await client.request<{ ok: number }>({
      path: '/rest/api/1.0/projects',
      query: { name: 'a b' },
    });
    expect(read.user).toBe('alice');
    await client.request({ method: 'POST', path: 'rest/api/1.0/x', json: { a: 1 } });
    const [get, post] = server.seen;
    expect(get?.url).toBe('/bitbucket/rest/api/1.0/projects?name=a+b');
    expect(get?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(get?.headers['user-agent']).toMatch(/^bdc-companion\//);
    expect(get?.headers['x-atlassian-token']).toBeUndefined();
    expect(post?.headers['x-atlassian-token']).toBe('no-check');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(post?.body).toBe('{"a":1}');
  });

  it('follows nextPageStart even when it is not start + limit', async () => {
    const items = Array.from({ length: 7 }, (_, index) => index);
    server = await startLocalServer((request, response) => {
      const start = Number(new URL(request.url, 'http://x').searchParams.get('start'));
      // Ids are not contiguous on BDC: the next page starts one further than start + limit.
      const position = [0, 3, 6].indexOf(start);
      const values = items.slice(position * 3, position * 3 + 3);
      const last = position === 2;
      json(response, 200, {
        size: values.length,
        limit: 3,
        start,
        isLastPage: last,
        values,
        ...(last ? {} : { nextPageStart: start + 3 }),
      });
    });
    const client = createBdcClient({ baseUrl: server.url, dispatcher });
    const seenStarts: string[] = [];
    const all: number[] = [];
    for await (const value of client.paged<number>('/rest/api/1.0/projects', {}, { limit: 3 }))
      all.push(value);
    for (const request of server.seen)
      seenStarts.push(new URL(request.url, 'http://x').searchParams.get('start') ?? '');
    expect(all).toEqual(items);
    expect(seenStarts).toEqual(['0', '3', '6']);
  });

  it('uses nextPageStart, not start + limit, when they differ', async () => {
    server = await startLocalServer((request, response) => {
      const start = Number(new URL(request.url, 'http://x').searchParams.get('start'));
      if (start === 0)
        json(response, 200, {
          size: 1,
          limit: 1,
          start: 0,
          isLastPage: false,
          values: ['a'],
          nextPageStart: 2,
        });
      else if (start === 2)
        json(response, 200, { size: 1, limit: 1, start: 2, isLastPage: true, values: ['c'] });
      else json(response, 500, { errors: [{ message: `wrong start ${start}` }] });
    });
    const client = createBdcClient({ baseUrl: server.url, dispatcher });
    const values: string[] = [];
    for await (const value of client.paged<string>('/p', {}, { limit: 1 })) values.push(value);
    expect(values).toEqual(['a', 'c']);
  });

  it('refuses a page that promises more without a usable nextPageStart', async () => {
    server = await startLocalServer((_request, response) =>
      json(response, 200, { size: 1, limit: 1, start: 0, isLastPage: false, values: ['a'] }),
    );
    const client = createBdcClient({ baseUrl: server.url, dispatcher });
    const run = async () => {
      for await (const _ of client.paged('/p')) void _;
    };
    await expect(run()).rejects.toMatchObject({ code: 'BDC_RESPONSE_INVALID' });
  });

  it('waits out 429 as Retry-After says, then gives up with BDC_RATE_LIMITED', async () => {
    let calls = 0;
    server = await startLocalServer((_request, response) => {
      calls += 1;
      if (calls === 1) json(response, 429, { message: 'slow down' }, { 'retry-after': '2' });
      else if (calls === 2) json(response, 429, { message: 'slow down' });
      else if (calls === 3) json(response, 200, { fine: true });
      else json(response, 429, {}, { 'retry-after': '1' });
    });
    const waits: number[] = [];
    const client = createBdcClient({
      baseUrl: server.url,
      dispatcher,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(await client.getJson('/x')).toEqual({ fine: true });
    expect(waits).toEqual([2000, 5000]);
    await expect(client.getJson('/x')).rejects.toMatchObject({ code: 'BDC_RATE_LIMITED' });
    expect(waits).toEqual([2000, 5000, 1000, 1000, 1000]);
    expect(
      retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000);
  });

  it('really sleeps for Retry-After when no sleep is injected', async () => {
    let calls = 0;
    server = await startLocalServer((_request, response) => {
      calls += 1;
      if (calls === 1) json(response, 429, {}, { 'retry-after': '0.2' });
      else json(response, 200, {});
    });
    const client = createBdcClient({ baseUrl: server.url, dispatcher });
    const started = Date.now();
    await client.getJson('/x');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('refreshes an OAuth credential once on 401, then fails with AUTH_EXPIRED', async () => {
    let token = 'old';
    let refreshes = 0;
    const oauth: Authorization = {
      kind: 'oauth',
      user: 'bob',
      header: async () => `Bearer ${token}`,
      refresh: async () => {
        refreshes += 1;
        token = `new${refreshes}`;
        return true;
      },
    };
    server = await startLocalServer((request, response) => {
      if (request.headers['authorization'] === 'Bearer new1' && request.url === '/ok')
        json(response, 200, { ok: true }, { 'x-ausername': 'bob' });
      else json(response, 401, authRequired);
    });
    const client = createBdcClient({ baseUrl: server.url, authorization: oauth, dispatcher });
    expect(await client.getJson('/ok')).toEqual({ ok: true });
    expect(refreshes).toBe(1);
    await expect(client.getJson('/never')).rejects.toMatchObject({ code: 'AUTH_EXPIRED' });
    expect(refreshes).toBe(2);
    expect(server.seen.map((request) => request.headers['authorization'])).toEqual([
      'Bearer old',
      'Bearer new1',
      'Bearer new1',
      'Bearer new2',
    ]);
  });

  it('turns a refresh the server rejects into AUTH_EXPIRED, and lets other refresh failures through', async () => {
    server = await startLocalServer((_request, response) => json(response, 401, authRequired));
    const failing = (
      code: 'OAUTH_REFRESH_REJECTED' | 'OAUTH_SERVER_UNREACHABLE',
    ): Authorization => ({
      kind: 'oauth',
      user: 'bob',
      header: async () => 'Bearer old',
      refresh: async () => {
        throw new CompanionError(code, 'refresh failed');
      },
    });
    await expect(
      createBdcClient({
        baseUrl: server.url,
        authorization: failing('OAUTH_REFRESH_REJECTED'),
        dispatcher,
      }).getJson('/x'),
    ).rejects.toMatchObject({
      code: 'AUTH_EXPIRED',
      data: { refreshCode: 'OAUTH_REFRESH_REJECTED' },
    });
    await expect(
      createBdcClient({
        baseUrl: server.url,
        authorization: failing('OAUTH_SERVER_UNREACHABLE'),
        dispatcher,
      }).getJson('/x'),
    ).rejects.toMatchObject({ code: 'OAUTH_SERVER_UNREACHABLE' });
  });

  it('treats 401 for a signed-in user as missing permission (BDC quirk), without refreshing', async () => {
    let refreshes = 0;
    server = await startLocalServer((_request, response) =>
      json(
        response,
        401,
        {
          errors: [
            {
              context: null,
              message: 'You are not permitted to access this resource',
              exceptionName: 'com.atlassian.bitbucket.AuthorisationException',
            },
          ],
        },
        { 'x-ausername': 'alice' },
      ),
    );
    const client = createBdcClient({
      baseUrl: server.url,
      authorization: { ...patAuth(), refresh: async () => ((refreshes += 1), true) },
      dispatcher,
    });
    await expect(client.getJson('/rest/api/1.0/projects/P/repos/r')).rejects.toMatchObject({
      code: 'AUTH_PERMISSION_DENIED',
      message: expect.stringContaining('You are not permitted'),
    });
    expect(refreshes).toBe(0);
  });

  it('maps BDC error envelopes and non-JSON answers to catalogued codes', async () => {
    server = await startLocalServer((request, response) => {
      if (request.url === '/404') {
        json(response, 404, {
          errors: [
            {
              context: null,
              message: 'Repository SOUR/invalidslug does not exist.',
              exceptionName: 'com.atlassian.bitbucket.repository.NoSuchRepositoryException',
            },
          ],
        });
      } else if (request.url === '/400') {
        json(response, 400, {
          errors: [
            {
              context: 'name',
              message: 'The name should be between 1 and 255 characters.',
              exceptionName: null,
            },
          ],
        });
      } else if (request.url === '/409') json(response, 409, { errors: [{ message: 'conflict' }] });
      else if (request.url === '/502') {
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html>Bad gateway</html>');
      } else if (request.url === '/302') {
        response.writeHead(302, { location: 'https://bdc/login' });
        response.end();
      } else {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html>login</html>');
      }
    });
    const client = createBdcClient({ baseUrl: server.url, dispatcher });
    await expect(client.getJson('/404')).rejects.toMatchObject({
      code: 'BDC_NOT_FOUND',
      message: expect.stringContaining('Repository SOUR/invalidslug does not exist.'),
      data: expect.objectContaining({ status: 404 }),
    });
    await expect(client.getJson('/400')).rejects.toMatchObject({
      code: 'BDC_REQUEST_FAILED',
      message: expect.stringContaining('name: The name should be'),
    });
    await expect(client.getJson('/409')).rejects.toMatchObject({ code: 'BDC_CONFLICT' });
    await expect(client.getJson('/502')).rejects.toMatchObject({ code: 'BDC_UNAVAILABLE' });
    await expect(client.getJson('/302')).rejects.toMatchObject({ code: 'BDC_RESPONSE_INVALID' });
    await expect(client.getJson('/html')).rejects.toMatchObject({ code: 'BDC_RESPONSE_INVALID' });
    const missing = await client.request({ path: '/404', accept: [404] });
    expect(missing.status).toBe(404);
  });

  it('refuses a response body beyond its bound', async () => {
    server = await startLocalServer((_request, response) =>
      json(response, 200, { big: 'x'.repeat(4096) }),
    );
    const client = createBdcClient({ baseUrl: server.url, dispatcher, maxResponseBytes: 1024 });
    await expect(client.getJson('/big')).rejects.toMatchObject({ code: 'BDC_RESPONSE_INVALID' });
  });

  it('maps transport failures to network codes', async () => {
    server = await startLocalServer(() => undefined);
    const url = server.url;
    await server.close();
    server = undefined;
    const client = createBdcClient({ baseUrl: url, dispatcher });
    await expect(client.getJson('/x')).rejects.toMatchObject({ code: 'CONNECT_REFUSED' });
  });

  it('never writes the Authorization header or token to its logs, even on failures', async () => {
    server = await startLocalServer((request, response) => {
      if (request.url === '/ok') json(response, 200, {}, { 'x-ausername': 'alice' });
      else json(response, 401, authRequired);
    });
    const lines: string[] = [];
    const client = createBdcClient({
      baseUrl: server.url,
      authorization: patAuth(),
      dispatcher,
      logger: recordingLogger(lines),
    });
    await client.getJson('/ok');
    const failure = await client.getJson('/fail').catch((error: unknown) => error);
    expect(lines.length).toBeGreaterThan(0);
    const everything = JSON.stringify([lines, failure, (failure as Error).message]);
    expect(everything).not.toContain('SECRET/TOKEN');
    expect(everything.toLowerCase()).not.toContain('bearer');
  });
});
