import { describe, expect, it } from 'vitest';
import { parseListenAddress, formatListenAddress } from '../../../core/relay/listen-address.js';
import { repositoryKey } from '../../../core/relay/repository-key.js';
import { SecretCache } from '../../../core/relay/secret-cache.js';
import { loadWebhookSecrets, storeRotatedSecret } from '../../../core/relay/webhook-secrets.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';

describe('listen address', () => {
  it('parses HOST:PORT and [IPv6]:PORT and refuses the rest', () => {
    expect(parseListenAddress('127.0.0.1:8787')).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(formatListenAddress({ host: '::1', port: 9 })).toBe('[::1]:9');
    for (const bad of ['8787', 'host:', 'host:99999', ':80', 'a b:1']) {
      expect(() => parseListenAddress(bad), bad).toThrow(
        expect.objectContaining({ code: 'RELAY_LISTEN_INVALID' }),
      );
    }
  });
});

describe('repository key', () => {
  it('reads PROJECT/slug from the payload and falls back to one lane', () => {
    expect(repositoryKey(Buffer.from('{"repository":{"slug":"r","project":{"key":"P"}}}'))).toBe(
      'P/r',
    );
    expect(repositoryKey(Buffer.from('{"test": true}'))).toBe('-');
    expect(repositoryKey(Buffer.from('not json'))).toBe('-');
    expect(repositoryKey(Buffer.from('null'))).toBe('-');
  });
});

describe('secret cache', () => {
  it('waits for a load that started after the request arrived, single-flight and spaced', async () => {
    let loads = 0;
    let value = ['a'];
    let clock = 0;
    const cache = new SecretCache(
      async () => {
        loads += 1;
        return value;
      },
      0,
      () => clock,
    );
    await cache.refresh();
    expect(cache.current).toEqual(['a']);
    value = ['b', 'a'];
    clock = 10;
    const arrived = cache.stamp();
    const [first, second] = await Promise.all([
      cache.loadedSince(arrived),
      cache.loadedSince(arrived),
    ]);
    expect(first).toEqual(['b', 'a']);
    expect(second).toEqual(['b', 'a']);
    expect(loads).toBe(2);
    // Nothing newer is needed for a request that arrived before the last load.
    expect(await cache.loadedSince(5)).toEqual(['b', 'a']);
    expect(loads).toBe(2);
  });

  it('keeps the known secrets when the store fails', async () => {
    let fail = false;
    let clock = 0;
    const cache = new SecretCache(
      async () => {
        if (fail) throw new Error('keychain locked');
        return ['a'];
      },
      0,
      () => clock,
    );
    await cache.refresh();
    fail = true;
    clock = 1;
    expect(await cache.loadedSince(1)).toEqual(['a']);
    await expect(cache.refresh()).rejects.toThrow('keychain locked');
  });
});

describe('webhook secrets in the secret store', () => {
  it('keeps the previous secret accepted for the grace period only', async () => {
    const store = createMemorySecretStore();
    await store.set({ installationId: 'i', kind: 'webhook-secret' }, 'old');
    expect(await loadWebhookSecrets(store, 'i', 0)).toEqual(['old']);
    await storeRotatedSecret(store, 'i', 'new', 1_000, 60_000);
    expect(await loadWebhookSecrets(store, 'i', 2_000)).toEqual(['new', 'old']);
    expect(await loadWebhookSecrets(store, 'i', 61_001)).toEqual(['new']);
    await store.set({ installationId: 'i', kind: 'webhook-secret-previous' }, 'not json');
    expect(await loadWebhookSecrets(store, 'i', 2_000)).toEqual(['new']);
  });
});
