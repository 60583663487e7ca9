import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionBridge } from '../../../common/api/envelope.js';
import { OPERATION_NAMES } from '../../../common/api/operations.js';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import { startServe, type RunningServe } from '../../../core/serve/serve-server.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { handleIpcCall } from '../../../main/ipc/ipc-call.js';
import { createBridge } from '../../../preload/create-bridge.js';
import {
  bridgeTransport,
  createCompanionClient,
  detectTransport,
  httpTransport,
} from '../../../renderer/src/api/companion-client.js';

const TOKEN = 'client-test-token-abcdefghijklmnopqrstuvwxyz';

// The renderer's one client module over both transports, each against the real engine facade:
// HTTP through `serve`, and IPC through the preload bridge and main's handler (the Electron
// binary replaced by a direct call, which is all ipcRenderer.invoke → ipcMain.handle does).
describe('companion client', () => {
  let home: string;
  let service: CompanionService;
  let serve: RunningServe;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'client-'));
    writeFileSync(join(home, 'index.html'), '<!doctype html>');
    service = await openCompanionService({
      home,
      transport: 'http',
      logger: silentLogger,
      secretStore: createMemorySecretStore(),
      env: {},
      oauthRedirect: 'localhost',
    });
    serve = await startServe({ service, bundleDir: home, logger: silentLogger, token: TOKEN });
  });

  afterAll(async () => {
    await serve?.close();
    await service?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const withCookie: typeof fetch = (input, init) =>
    fetch(input, {
      ...init,
      headers: {
        ...(init?.headers as Record<string, string>),
        cookie: `bdc_companion_session=${TOKEN}`,
      },
    });

  it('over HTTP: returns values and rethrows errors with their code and hint', async () => {
    const client = createCompanionClient(httpTransport(serve.origin, withCookie));
    await expect(client.listInstallations()).resolves.toEqual([]);
    const error = await client
      .removeInstallation({ installation: 'nope' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CompanionError);
    expect(error).toMatchObject({ code: 'INSTALLATION_NOT_FOUND' });
    expect((error as CompanionError).hint).toBeTruthy();
  });

  it('over HTTP without the session: SERVE_ACCESS_DENIED', async () => {
    const client = createCompanionClient(httpTransport(serve.origin));
    await expect(client.listInstallations()).rejects.toMatchObject({ code: 'SERVE_ACCESS_DENIED' });
  });

  it('over IPC: the preload bridge and main handler carry the same contract', async () => {
    const frame = { url: 'app://bundle/index.html', isMainFrame: true };
    const bridge = createBridge({
      invoke: (channel, ...args) =>
        handleIpcCall(
          service,
          channel.replace(/^api:/, '') as (typeof OPERATION_NAMES)[number],
          frame,
          args,
        ),
      on: () => undefined,
      removeListener: () => undefined,
    });
    const transport = detectTransport({
      companion: bridge as CompanionBridge,
      location: { origin: 'app://bundle' } as Location,
    });
    expect(transport.name).toBe('electron');
    const client = createCompanionClient(bridgeTransport(bridge));
    await expect(client.getAppInfo()).resolves.toMatchObject({ transport: 'http' });
    await expect(client.checkCa({ pem: 'garbage' })).rejects.toMatchObject({
      code: expect.stringMatching(/^TRUST_/),
    });
    await expect(client.probe({ url: 42 } as never)).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
  });

  it('has one method per operation plus onEvent', () => {
    const client = createCompanionClient(httpTransport(serve.origin, withCookie));
    for (const name of OPERATION_NAMES) expect(typeof client[name]).toBe('function');
    expect(typeof client.onEvent).toBe('function');
  });
});
