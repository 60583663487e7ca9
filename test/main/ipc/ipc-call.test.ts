import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { handleIpcCall } from '../../../main/ipc/ipc-call.js';

const trusted = { url: 'app://bundle/index.html', isMainFrame: true };

describe('IPC call handling', () => {
  let home: string;
  let service: CompanionService;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ipc-call-'));
    service = await openCompanionService({
      home,
      transport: 'electron',
      logger: silentLogger,
      secretStore: createMemorySecretStore(),
      env: {},
      oauthRedirect: 'custom',
    });
  });

  afterAll(async () => {
    await service?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('runs an operation for the trusted frame', async () => {
    await expect(handleIpcCall(service, 'listInstallations', trusted, [])).resolves.toEqual({
      ok: true,
      value: [],
    });
    const info = await handleIpcCall(service, 'getAppInfo', trusted, []);
    expect(info).toMatchObject({
      ok: true,
      value: { transport: 'electron', oauthRedirect: 'custom' },
    });
  });

  it('refuses other senders before touching the engine', async () => {
    const result = await handleIpcCall(
      service,
      'listInstallations',
      { url: 'https://evil.example/', isMainFrame: true },
      [],
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'APP_SENDER_REFUSED' } });
    const subframe = await handleIpcCall(
      service,
      'listInstallations',
      { ...trusted, isMainFrame: false },
      [],
    );
    expect(subframe).toMatchObject({ ok: false, error: { code: 'APP_SENDER_REFUSED' } });
  });

  it('validates arguments and keeps error codes across the boundary', async () => {
    const extra = await handleIpcCall(service, 'listInstallations', trusted, [{ sneaky: true }]);
    expect(extra).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
    const wrongType = await handleIpcCall(service, 'removeInstallation', trusted, [
      { installation: 42 },
    ]);
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'INPUT_INVALID' } });
    const missing = await handleIpcCall(service, 'removeInstallation', trusted, [
      { installation: 'nope' },
    ]);
    expect(missing).toMatchObject({ ok: false, error: { code: 'INSTALLATION_NOT_FOUND' } });
    expect((missing as { error: { hint?: string } }).error.hint).toBeTruthy();
  });
});
