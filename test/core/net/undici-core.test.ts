import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import {
  Agent,
  EnvHttpProxyAgent,
  ProxyAgent,
  buildConnector,
  request,
} from '../../../core/net/undici-core.js';

// The companion loads undici's parts from their own files (core/net/undici-core.ts); these must
// stay the very classes undici's index exports, and `request` must behave like undici's.
describe('undici loaded part by part', () => {
  it('exports the same classes and connector as undici itself', () => {
    expect(Agent).toBe(undici.Agent);
    expect(ProxyAgent).toBe(undici.ProxyAgent);
    expect(EnvHttpProxyAgent).toBe(undici.EnvHttpProxyAgent);
    expect(buildConnector).toBe(undici.buildConnector);
  });

  it('requests through the given dispatcher: method, path with query, headers and body', async () => {
    const seen: {
      method: string | undefined;
      url: string | undefined;
      header: string | undefined;
      body: string;
    }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          header: req.headers['x-probe'] as string,
          body,
        });
        res.writeHead(201, { 'content-type': 'text/plain' }).end('answer');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const dispatcher = new Agent();
    try {
      const got = await request(`http://127.0.0.1:${port}/a/b?c=1`, {
        dispatcher,
        headers: { 'x-probe': 'yes' },
      });
      expect(got.statusCode).toBe(201);
      expect(await got.body.text()).toBe('answer');
      const posted = await request(new URL(`http://127.0.0.1:${port}/p`), {
        dispatcher,
        method: 'POST',
        body: 'data',
      });
      await posted.body.dump();
      expect(seen).toEqual([
        { method: 'GET', url: '/a/b?c=1', header: 'yes', body: '' },
        { method: 'POST', url: '/p', header: undefined, body: 'data' },
      ]);
    } finally {
      await dispatcher.close();
      server.close();
    }
  });
});
