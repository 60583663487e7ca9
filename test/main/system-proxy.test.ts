import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkOverview } from '../../common/models/network.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { startConnectProxy, type RunningConnectProxy } from '../helpers/connect-proxy.js';
import { startTestSimulator } from '../helpers/sim.js';
import { builtMain, callOperation, loadMain, until } from './electron-stand-in/load-main.js';

// The desktop's system proxy: the built main process asks Electron's `session.resolveProxy` (the
// stand-in answers as the OS settings would) and every connection follows the answer — here the
// probe, through a real CONNECT proxy on 127.0.0.1 — while the Network setting, when explicit,
// overrides it. Before the Network section only the probe asked the system; the Network view did
// not exist.

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

describe('the system proxy on the desktop', () => {
  let sim: RunningSimulator;
  let proxy: RunningConnectProxy;
  const homes: string[] = [];
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    expect(existsSync(builtMain), 'run `npm run build` first').toBe(true);
    // The variables outrank the system (docs/network.md): this test is about the system.
    for (const name of PROXY_VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    sim = await startTestSimulator({ platform: false });
    proxy = await startConnectProxy();
  }, 60_000);

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value !== undefined) process.env[name] = value;
    }
    await proxy?.close();
    await sim?.close();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  it('routes through the proxy the system names, shows what the system said, and yields to an explicit setting', async () => {
    const home = mkdtempSync(join(tmpdir(), 'desktop-system-proxy-'));
    homes.push(home);
    const simPort = new URL(sim.url).port;
    const answer = `PROXY 127.0.0.1:${proxy.port}; DIRECT`;
    const shell = loadMain({
      userData: home,
      systemProxy: (url) => (new URL(url).port === simPort ? answer : 'DIRECT'),
    });
    shell.fireReady();
    await until('the tray', () => shell.trays.length > 0);

    const report = await callOperation<{ ok: boolean }>(shell, 'probe', {
      url: sim.url,
      caPems: [sim.caPem],
      allowLoopback: true,
    });
    expect(report.ok).toBe(true);
    expect(shell.calls).toContainEqual({
      what: 'session.resolveProxy',
      args: [new URL(sim.url).href],
    });
    expect(proxy.connects.map((connect) => connect.target)).toContain(new URL(sim.url).host);

    await callOperation(shell, 'addInstallation', {
      name: 'lab',
      baseUrl: sim.url,
      caPems: [sim.caPem],
      allowLoopback: true,
    });
    const network = await callOperation<NetworkOverview>(shell, 'getNetwork');
    expect(network.systemProxy).toBe(true);
    expect(network.installations[0]?.routes[0]?.description).toBe(
      `the system said "${answer}": via proxy http://127.0.0.1:${proxy.port}`,
    );

    // An explicit setting wins over the system: no proxy, whatever the OS says.
    const direct = await callOperation<NetworkOverview>(shell, 'updateNetwork', {
      proxy: { kind: 'direct' },
    });
    expect(direct.installations[0]?.routes[0]?.description).toBe('direct (Network setting)');
    proxy.connects.length = 0;
    await callOperation(shell, 'probe', { url: sim.url, caPems: [sim.caPem], allowLoopback: true });
    expect(proxy.connects).toEqual([]);

    shell.app.quit();
    await until('the quit', () => shell.exited, 20_000);
  }, 60_000);
});
