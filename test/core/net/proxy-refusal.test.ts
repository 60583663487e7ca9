import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../core/net/network-factory.js';
import { toNetworkError } from '../../../core/net/network-error.js';
import { request } from '../../../core/net/undici-core.js';
import { startConnectProxy, type RunningConnectProxy } from '../../helpers/connect-proxy.js';

// A proxy that refuses the tunnel is a proxy failure with its reason, not a cancellation: undici
// reports a non-200 CONNECT as a RequestAbortedError, which used to become OPERATION_CANCELLED
// ("The request … was cancelled") — the admin was never told the proxy wanted credentials.

let proxy: RunningConnectProxy;

beforeAll(async () => {
  proxy = await startConnectProxy({ credentials: { username: 'u', password: 'p' } });
});

afterAll(async () => {
  await proxy.close();
});

async function failure(proxyUrl: string): Promise<unknown> {
  const dispatcher = createDispatcher({
    addressPolicy: 'none',
    env: { HTTPS_PROXY: proxyUrl },
    connectTimeoutMs: 5_000,
  });
  try {
    await request('https://127.0.0.1:9/never', { dispatcher });
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await dispatcher.close();
  }
}

describe('a refused CONNECT', () => {
  it('is PROXY_FAILED naming the 407, without the credentials', async () => {
    const error = toNetworkError(await failure(proxy.url), '127.0.0.1:9');
    expect(error.code).toBe('PROXY_FAILED');
    expect(error.message).toContain('HTTP 407');
    expect(error.data).toEqual({ status: 407 });
    const wrong = toNetworkError(
      await failure(`http://u:wrong-secret@127.0.0.1:${proxy.port}`),
      '127.0.0.1:9',
    );
    expect(wrong.code).toBe('PROXY_FAILED');
    expect(JSON.stringify({ message: wrong.message, data: wrong.data })).not.toContain(
      'wrong-secret',
    );
    expect(proxy.connects.length).toBe(2);
  });
});
