import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeTokenKey } from '../../../core/bridge/installation-bridge.js';
import { startBridgeHeartbeat } from '../../../core/bridge/bridge-heartbeat.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { openDatabase } from '../../../core/storage/database.js';

describe('service: the Bridge view operations', () => {
  let home: string;
  let service: CompanionService;
  const secrets = createMemorySecretStore();
  const installation = newInstallation({
    name: 'corp',
    baseUrl: 'https://bdc.example.internal',
    platform: { baseUrl: 'https://platform.example', installationId: 'p-1', caPems: [] },
  });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'service-bridge-'));
    openSettings(home).saveInstallation(installation);
    service = await openCompanionService({
      home,
      transport: 'http',
      logger: silentLogger,
      secretStore: secrets,
      env: {},
      oauthRedirect: 'localhost',
      startRelays: false,
    });
  });

  afterAll(async () => {
    await service?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('stores the token, edits the policy as the CLI does, and shows what a running bridge recorded', async () => {
    const before = await service.invoke('getBridgeStatus', [{ installation: 'corp' }]);
    expect(before).toMatchObject({ running: false, status: undefined, tokenConfigured: false });
    expect(before.policy.push).toEqual([]);

    await service.invoke('setBridgeToken', [{ installation: 'corp', token: 'abt_secret-token' }]);
    expect(await secrets.get(bridgeTokenKey(installation.id))).toBe('abt_secret-token');
    await expect(
      service.invoke('setBridgeToken', [{ installation: 'corp', token: 'two words' }]),
    ).rejects.toMatchObject({ code: 'INPUT_INVALID' });

    const policy = await service.invoke('updateBridgePolicy', [
      { installation: 'corp', allowPush: ['PLAT/gitops:main'], readProjects: ['plat'] },
    ]);
    expect(policy).toMatchObject({ push: ['PLAT/gitops:main'], readProjects: ['PLAT'] });
    await expect(
      service.invoke('updateBridgePolicy', [{ installation: 'corp', allowPush: ['bad rule'] }]),
    ).rejects.toMatchObject({ code: 'BRIDGE_RULE_INVALID' });
    expect(openSettings(home).requireInstallation('corp').bridge?.push).toEqual([
      'PLAT/gitops:main',
    ]);

    const database = openDatabase(home);
    const heartbeat = startBridgeHeartbeat(database, {
      installationId: installation.id,
      platformUrl: 'https://platform.example',
    });
    heartbeat.update({
      state: 'connected',
      platformUrl: 'https://platform.example',
      connectedSince: '2026-12-03T00:00:00.000Z',
      reconnectAttempts: 0,
      lastRequest: undefined,
      counts: { ok: 3, denied: 1, failed: 0, cancelled: 0 },
      lastError: undefined,
    });
    const live = await service.invoke('getBridgeStatus', [{ installation: 'corp' }]);
    expect(live).toMatchObject({
      running: true,
      tokenConfigured: true,
      status: { state: 'connected', counts: { ok: 3, denied: 1 } },
    });
    heartbeat.stop();
    database.close();
    expect((await service.invoke('getBridgeStatus', [{ installation: 'corp' }])).running).toBe(
      false,
    );
  });
});
