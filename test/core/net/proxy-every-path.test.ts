import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NetworkOverview } from '../../../common/models/network.js';
import { bridgeUrl } from '../../../core/bridge/installation-bridge.js';
import { openBridgeSocket } from '../../../core/bridge/bridge-socket.js';
import { createLogger } from '../../../core/logging/file-logger.js';
import { signBody } from '../../../core/relay/signature.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import type { RunningSimulator } from '../../../sim/simulator-api.js';
import { startConnectProxy, type RunningConnectProxy } from '../../helpers/connect-proxy.js';
import { startTestSimulator } from '../../helpers/sim.js';

// Issue 16 item 10: the proxy of the Network section applies on every path. A real CONNECT proxy
// on 127.0.0.1 that demands credentials sits between the companion and the simulator (BDC and the
// platform); each path is proven by the tunnels the proxy opened, not by the client's word.
// Before the Network section, only HTTPS_PROXY existed: none of these went through a proxy.

const USER = 'proxy-user';
const PASSWORD = 'pr0xy-pässword-7731';
const WEBHOOK_SECRET = 'relay-secret-0123456789abcdef';

let sim: RunningSimulator;
let proxy: RunningConnectProxy;
let dir: string;
let home: string;
let service: CompanionService;
let pacServer: Server;
let pacUrl: string;
let pacScript = '';

const simTarget = (): string => new URL(sim.url).host;
const platformTarget = (): string => new URL(sim.platform!.url).host;
const tunnelsTo = (target: string) =>
  proxy.connects.filter((connect) => connect.target === target && connect.allowed);

function call<T>(operation: string, ...args: unknown[]): Promise<T> {
  return service.invoke(operation as never, args as never) as Promise<T>;
}

/** Every file of the config home (settings, logs, database, secrets aside), as text. */
function homeText(): string {
  return readdirSync(home, { recursive: true, encoding: 'utf8' })
    .map((file) => path.join(home, file))
    .filter((file) => !file.endsWith('.db') && !file.includes('-wal') && !file.includes('-shm'))
    .flatMap((file) => {
      try {
        return [readFileSync(file, 'utf8')];
      } catch {
        return [];
      }
    })
    .join('\n');
}

beforeAll(async () => {
  sim = await startTestSimulator();
  proxy = await startConnectProxy({ credentials: { username: USER, password: PASSWORD } });
  pacServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig' }).end(pacScript);
  });
  await new Promise<void>((resolve) => pacServer.listen(0, '127.0.0.1', resolve));
  pacUrl = `http://127.0.0.1:${(pacServer.address() as AddressInfo).port}/proxy.pac`;
  dir = mkdtempSync(path.join(tmpdir(), 'proxy-every-path-'));
  home = path.join(dir, 'home');
  service = await openCompanionService({
    home,
    transport: 'http',
    logger: createLogger({ home, level: 'debug', component: 'serve' }),
    secretStore: createMemorySecretStore(),
    // No proxy variables: the Network setting is the only way a proxy can be chosen here.
    env: { PATH: process.env['PATH'], HOME: dir },
    oauthRedirect: 'localhost',
    startRelays: false,
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await proxy?.close();
  await sim?.close();
  await new Promise<void>((resolve) => pacServer?.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  proxy.connects.length = 0;
});

describe('an explicit proxy with credentials', () => {
  it('carries the probe, BDC REST, both push engines, relay forwarding and the bridge, with the credentials only on the CONNECT', async () => {
    const overview = await call<NetworkOverview>('updateNetwork', {
      proxy: { kind: 'manual', url: proxy.url, username: USER, password: PASSWORD },
    });
    expect(overview.setting).toEqual({
      kind: 'manual',
      url: proxy.url,
      noProxy: '',
      credentials: true,
    });

    // Probe and save: the probe's TCP/TLS steps and its HTTP step.
    await call('addInstallation', {
      name: 'lab',
      baseUrl: sim.url,
      allowLoopback: true,
      caPems: [sim.caPem],
      platform: {
        baseUrl: sim.platform!.url,
        installationId: sim.platform!.installationId,
        caPems: [sim.platform!.caPem],
      },
    });
    expect(tunnelsTo(simTarget()).length).toBeGreaterThanOrEqual(2);

    // BDC REST (PAT verification and project read).
    proxy.connects.length = 0;
    await call('signInWithPat', { installation: 'lab', token: sim.pat });
    expect(tunnelsTo(simTarget()).length).toBeGreaterThan(0);

    // Push with the git CLI, then with isomorphic-git.
    for (const engine of ['git', 'isomorphic-git'] as const) {
      proxy.connects.length = 0;
      const outcome = await call<{ kind: string }>('testPush', {
        installation: 'lab',
        repo: `${sim.project}/${sim.repo}`,
        branch: 'main',
        message: `through the proxy with ${engine}`,
        put: [{ path: `proxy-${engine}.txt`, content: engine }],
        delete: [],
        engine,
      });
      expect(outcome.kind, engine).not.toBe('failed');
      expect(tunnelsTo(simTarget()).length, engine).toBeGreaterThan(0);
    }

    // Relay forwarding to the platform.
    await call('updateInstallation', { installation: 'lab', relay: { listen: '127.0.0.1:0' } });
    await call('setWebhookSecret', { installation: 'lab', secret: WEBHOOK_SECRET });
    const relay = await call<{ listen: string }>('startRelay', { installation: 'lab' });
    proxy.connects.length = 0;
    sim.platform!.clearDeliveries();
    const body = Buffer.from(JSON.stringify({ eventKey: 'repo:refs_changed', changes: [] }));
    const posted = await request(
      `http://${relay.listen}/webhooks/bitbucket-dc/${sim.platform!.installationId}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-event-key': 'repo:refs_changed',
          'x-request-id': 'proxy-path-1',
          'x-hub-signature': signBody(WEBHOOK_SECRET, body),
        },
        body,
      },
    );
    await posted.body.dump();
    expect(posted.statusCode).toBeLessThan(300);
    const [delivery] = await sim.platform!.waitForDeliveries(1);
    await call('stopRelay', { installation: 'lab' });
    expect(tunnelsTo(platformTarget()).length).toBeGreaterThan(0);

    // The bridge's WebSocket to the platform.
    proxy.connects.length = 0;
    const socket = await openBridgeSocket({
      url: bridgeUrl({
        baseUrl: sim.platform!.url,
        installationId: sim.platform!.installationId,
        caPems: [],
      }),
      token: sim.platform!.bridgeToken,
      caPems: [sim.platform!.caPem],
      env: {},
    });
    socket.terminate();
    expect(tunnelsTo(platformTarget()).length).toBeGreaterThan(0);

    // Every tunnel carried the credentials; the platform never saw them; no file holds them.
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect(proxy.connects.every((connect) => connect.authorization === basic)).toBe(true);
    const deliveryHeaders = JSON.stringify(delivery?.headers ?? {}).toLowerCase();
    expect(deliveryHeaders).not.toContain('proxy-authorization');
    expect(deliveryHeaders).not.toContain(PASSWORD.toLowerCase());
    expect(homeText()).not.toContain(PASSWORD);
    expect(homeText()).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));

    // The Network section names the route of each connection, without the credentials.
    const shown = await call<NetworkOverview>('getNetwork');
    const routes = shown.installations[0]!.routes;
    expect(routes.map((row) => [row.role, row.description])).toEqual([
      ['bdc', `via proxy ${proxy.url} (Network setting)`],
      ['platform', `via proxy ${proxy.url} (Network setting)`],
      ['relay', `via proxy ${proxy.url} (Network setting)`],
    ]);
    expect(JSON.stringify(shown)).not.toContain(PASSWORD);
    const diagnostics = await call<unknown>('runDiagnostics');
    expect(JSON.stringify(diagnostics)).not.toContain(PASSWORD);
    expect(JSON.stringify(diagnostics)).toContain(`via proxy ${proxy.url} (Network setting)`);
  }, 120_000);

  it('reaches a host on the bypass list directly', async () => {
    await call('updateNetwork', {
      proxy: { kind: 'manual', url: proxy.url, noProxy: '127.0.0.0/8', keepCredentials: true },
    });
    await call('signInWithPat', { installation: 'lab', token: sim.pat });
    expect(proxy.connects).toEqual([]);
    const shown = await call<NetworkOverview>('getNetwork');
    expect(shown.installations[0]!.routes[0]!.description).toBe('direct (Network setting)');
  });

  it('fails with PROXY_FAILED, not success, when the proxy refuses the credentials', async () => {
    await call('updateNetwork', {
      proxy: { kind: 'manual', url: proxy.url, username: USER, password: 'wrong' },
    });
    await expect(
      call('signInWithPat', { installation: 'lab', token: sim.pat }),
    ).rejects.toMatchObject({ code: 'PROXY_FAILED' });
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(proxy.connects.every((connect) => !connect.allowed)).toBe(true);
  });
});

describe('a PAC file served on 127.0.0.1', () => {
  it('sends what it names through the proxy and the rest directly, and says so', async () => {
    await call('updateNetwork', {
      proxy: { kind: 'manual', url: proxy.url, username: USER, password: PASSWORD },
    });
    // The PAC choice names the proxy without credentials: this proxy demands them, so a PAC
    // route to it must fail — use a PAC that sends BDC through it only when the port matches.
    await call('updateNetwork', { proxy: { kind: 'direct' } });
    const bdcPort = new URL(sim.url).port;
    pacScript = `function FindProxyForURL(url, host) {
      if (url.indexOf(":${bdcPort}/") !== -1) return "PROXY 127.0.0.1:${proxy.port}; DIRECT";
      return "DIRECT";
    }`;
    const shown = await call<NetworkOverview>('updateNetwork', {
      proxy: { kind: 'pac', url: pacUrl },
    });
    const [bdc, platform] = shown.installations[0]!.routes;
    expect(bdc!.description).toBe(
      `PAC said "PROXY 127.0.0.1:${proxy.port}; DIRECT": via proxy http://127.0.0.1:${proxy.port}`,
    );
    expect(platform!.description).toBe('PAC said "DIRECT": direct');

    // The proxy demands credentials a PAC route does not carry: BDC traffic really went there.
    proxy.connects.length = 0;
    await expect(
      call('signInWithPat', { installation: 'lab', token: sim.pat }),
    ).rejects.toMatchObject({ code: 'PROXY_FAILED' });
    expect(proxy.connects.map((connect) => connect.target)).toContain(simTarget());
    expect(proxy.connects.every((connect) => connect.authorization === undefined)).toBe(true);
  });

  it('says PROXY_PAC_FAILED when the PAC file cannot be fetched', async () => {
    pacServer.removeAllListeners('request');
    pacServer.on('request', (_request, response) => response.writeHead(404).end());
    await call('updateNetwork', { proxy: { kind: 'pac', url: `${pacUrl}.missing` } });
    const shown = await call<NetworkOverview>('getNetwork');
    expect(shown.installations[0]!.routes[0]!.error?.code).toBe('PROXY_PAC_FAILED');
    await expect(
      call('signInWithPat', { installation: 'lab', token: sim.pat }),
    ).rejects.toMatchObject({ code: 'PROXY_PAC_FAILED' });
  });
});
