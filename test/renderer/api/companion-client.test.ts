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
import { newInstallation } from '../../../core/settings/new-installation.js';
import { openSettings } from '../../../core/settings/settings-file.js';
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
import { takeServeToken } from '../../../renderer/src/api/serve-token.js';

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

  it('over HTTP: returns values and rethrows errors with their code and hint', async () => {
    const client = createCompanionClient(httpTransport(serve.origin, TOKEN));
    await expect(client.listInstallations()).resolves.toEqual([]);
    const error = await client
      .removeInstallation({ installation: 'nope' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CompanionError);
    expect(error).toMatchObject({ code: 'INSTALLATION_NOT_FOUND' });
    expect((error as CompanionError).hint).toBeTruthy();
  });

  it('over HTTP without the token, or with a wrong one: SERVE_ACCESS_DENIED', async () => {
    for (const token of [undefined, 'wrong']) {
      const client = createCompanionClient(httpTransport(serve.origin, token));
      await expect(client.listInstallations()).rejects.toMatchObject({
        code: 'SERVE_ACCESS_DENIED',
      });
    }
  });

  it('over HTTP: events arrive through the header-carrying stream', async () => {
    const client = createCompanionClient(httpTransport(serve.origin, TOKEN));
    const events: unknown[] = [];
    const stop = client.onEvent((event) => events.push(event));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      openSettings(home).saveInstallation(
        newInstallation({ name: 'evented', baseUrl: 'https://bdc.example' }),
      );
      await client.removeInstallation({ installation: 'evented' });
      const deadline = Date.now() + 5000;
      while (
        !events.some((event) => (event as { kind: string }).kind === 'installations-changed')
      ) {
        if (Date.now() > deadline) throw new Error('no event arrived');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      stop();
    }
  });

  it('takes the token from the URL fragment once, keeps it in this tab, and cleans the address', () => {
    const stored = new Map<string, string>();
    const replaced: string[] = [];
    const scope = {
      location: { hash: `#token=${TOKEN}`, pathname: '/', search: '' },
      history: {
        replaceState: (_data: unknown, _title: string, url?: string | URL | null) =>
          void replaced.push(String(url)),
      },
      sessionStorage: {
        getItem: (key: string) => stored.get(key) ?? null,
        setItem: (key: string, value: string) => void stored.set(key, value),
      },
    };
    expect(takeServeToken(scope)).toBe(TOKEN);
    expect(replaced).toEqual(['/']);
    // A reload: no fragment any more, the tab still has it.
    expect(takeServeToken({ ...scope, location: { hash: '', pathname: '/', search: '' } })).toBe(
      TOKEN,
    );
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
      location: { origin: 'app://bundle', hash: '', pathname: '/', search: '' },
      history: { replaceState: () => undefined },
      sessionStorage: { getItem: () => null, setItem: () => undefined },
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
    const client = createCompanionClient(httpTransport(serve.origin, TOKEN));
    for (const name of OPERATION_NAMES) expect(typeof client[name]).toBe('function');
    expect(typeof client.onEvent).toBe('function');
  });
});
