import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPacEvaluator, PAC_MAX_BYTES } from '../../../core/net/pac-file.js';

// PAC files served on 127.0.0.1: fetched bounded, run in the sandbox, cached, failures named.
let server: Server;
let base: string;
let fetches = 0;

const SCRIPTS: Record<string, string> = {
  '/ok.pac': `function FindProxyForURL(url, host) {
    if (dnsDomainIs(host, ".corp.example") || isPlainHostName(host)) return "DIRECT";
    if (shExpMatch(url, "https://git.*")) return "PROXY git-proxy.corp.example:8080";
    return "PROXY proxy.corp.example:3128; DIRECT";
  }`,
  '/throws.pac': 'function FindProxyForURL(url, host) { throw new Error("broken script"); }',
  '/escape.pac': `function FindProxyForURL(url, host) {
    return typeof require + "," + typeof process + "," + typeof globalThis.fetch;
  }`,
};

beforeAll(async () => {
  server = createServer((request, response) => {
    fetches += 1;
    if (request.url === '/huge.pac') {
      response.writeHead(200).end('x'.repeat(PAC_MAX_BYTES + 1));
      return;
    }
    const script = SCRIPTS[request.url ?? ''];
    if (script === undefined) response.writeHead(404).end();
    else response.writeHead(200).end(script);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('PAC files', () => {
  it('answers FindProxyForURL per address, fetching the script once', async () => {
    const evaluate = createPacEvaluator();
    fetches = 0;
    await expect(evaluate(`${base}/ok.pac`, 'https://bdc.corp.example/')).resolves.toBe('DIRECT');
    await expect(evaluate(`${base}/ok.pac`, 'https://git.example.com/x')).resolves.toBe(
      'PROXY git-proxy.corp.example:8080',
    );
    await expect(evaluate(`${base}/ok.pac`, 'https://platform.example/')).resolves.toBe(
      'PROXY proxy.corp.example:3128; DIRECT',
    );
    expect(fetches).toBe(1);
  });

  it('runs the script in a sandbox without Node', async () => {
    await expect(
      createPacEvaluator()(`${base}/escape.pac`, 'https://bdc.corp.example/'),
    ).resolves.toBe('undefined,undefined,undefined');
  });

  it('names each failure: HTTP status, size, a throwing script', async () => {
    const evaluate = createPacEvaluator();
    await expect(evaluate(`${base}/missing.pac?token=s3cret`, 'https://a/')).rejects.toMatchObject({
      code: 'PROXY_PAC_FAILED',
      message: expect.stringContaining('HTTP 404'),
    });
    await expect(evaluate(`${base}/missing.pac?token=s3cret`, 'https://a/')).rejects.not.toThrow(
      /s3cret/,
    );
    await expect(evaluate(`${base}/huge.pac`, 'https://a/')).rejects.toMatchObject({
      code: 'PROXY_PAC_FAILED',
      message: expect.stringContaining(`larger than ${PAC_MAX_BYTES} bytes`),
    });
    await expect(evaluate(`${base}/throws.pac`, 'https://a/')).rejects.toMatchObject({
      code: 'PROXY_PAC_FAILED',
      message: expect.stringContaining('broken script'),
    });
  });
});
