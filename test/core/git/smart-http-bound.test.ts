import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_SMART_HTTP_ANSWER_BYTES, discoverReceivePack } from '../../../core/git/smart-http.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('the smart-HTTP client', () => {
  it('refuses an endless ref advertisement instead of reading it into memory', async () => {
    let sent = 0;
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-git-receive-pack-advertisement' });
      const chunk = Buffer.alloc(1024 * 1024, 0x30);
      const more = (): void => {
        while (!response.destroyed && sent <= MAX_SMART_HTTP_ANSWER_BYTES * 4) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', more);
        }
        response.end();
      };
      more();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const dispatcher = new Agent();
    try {
      await expect(
        discoverReceivePack({ dispatcher, headers: {} }, `http://127.0.0.1:${port}/scm/p/r.git`),
      ).rejects.toMatchObject({ error: { code: 'PUSH_PROTOCOL_FAILED' } });
    } finally {
      await dispatcher.close();
    }
    expect(sent).toBeLessThan(MAX_SMART_HTTP_ANSWER_BYTES * 2);
  });
});
