import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { assessRelayUrlOf, relayUrlWarnings } from '../../../core/webhooks/relay-url-warnings.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

const PLATFORM = { baseUrl: 'https://platform.example', installationId: 'plat-1' };
const PATH = '/webhooks/bitbucket-dc/plat-1';

describe('relay URL warnings in the service', () => {
  let sim: RunningSimulator;
  let home: string;
  let service: CompanionService;

  beforeAll(async () => {
    sim = await startTestSimulator();
    home = mkdtempSync(join(tmpdir(), 'service-relay-url-'));
    service = await openCompanionService({
      home,
      transport: 'http',
      logger: silentLogger,
      secretStore: createMemorySecretStore(),
      env: {},
      oauthRedirect: 'localhost',
      startRelays: false,
    });
    await service.invoke('addInstallation', [
      { name: 'sim', baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
    ]);
    await service.invoke('signInWithPat', [{ installation: 'sim', token: sim.pat }]);
    await service.invoke('updateInstallation', [
      {
        installation: 'sim',
        platform: PLATFORM,
        relay: { publicUrl: 'https://127.0.0.1:9' },
      },
    ]);
    await service.invoke('setWebhookSecret', [
      { installation: 'sim', secret: 'a-webhook-secret-of-some-length' },
    ]);
  });

  afterAll(async () => {
    await service?.close();
    await sim?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('warns on the relay endpoint when BDC would have to call a loopback address', async () => {
    const endpoint = await service.invoke('getRelayEndpoint', [{ installation: 'sim' }]);
    expect(endpoint.callbackUrl).toBe(`https://127.0.0.1:9${PATH}`);
    expect(endpoint.warnings.join(' ')).toMatch(/loopback/);
  });

  it('returns the warnings with the registration, and refuses a URL of the wrong form', async () => {
    const result = await service.invoke('registerWebhooks', [
      {
        installation: 'sim',
        repos: [`${sim.project}/${sim.repo}`],
        url: `https://127.0.0.1:9${PATH}`,
      },
    ]);
    expect(result.webhooks).toHaveLength(1);
    expect(result.warnings.join(' ')).toMatch(/loopback/);
    await expect(
      service.invoke('registerWebhooks', [
        {
          installation: 'sim',
          repos: [`${sim.project}/${sim.repo}`],
          url: 'https://relay.corp/elsewhere',
        },
      ]),
    ).rejects.toMatchObject({ message: expect.stringContaining(PATH) });
  });
});

describe('relay URL warnings for an installation', () => {
  it('names a VPN client address, and turns a malformed URL into a warning for display', () => {
    const vpn = [{ name: 'wg0', address: '10.8.0.6' }];
    expect(
      assessRelayUrlOf(
        { platform: { ...PLATFORM, caPems: [] } },
        `https://10.8.0.6:8787${PATH}`,
        vpn,
      ).join(' '),
    ).toMatch(/wg0/);
    expect(
      assessRelayUrlOf({ platform: undefined }, `https://relay.corp.example${PATH}`, []),
    ).toEqual([]);
    expect(
      relayUrlWarnings({ platform: { ...PLATFORM, caPems: [] } }, 'https://relay.corp/x', []),
    ).toHaveLength(1);
  });
});
