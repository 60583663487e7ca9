import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionEvent } from '../../../common/api/models.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { configureWatch } from '../../../core/use-cases/configure-watch.js';
import { freePort } from '../../e2e/serve-process.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';
import { cloneRepository, watchEvent } from '../watch/watch-fixture.js';

/**
 * The desktop and `serve` run the bridge and watch mode themselves (issues 14 and 18): the real
 * service over the simulator and its platform stand-in, nothing faked.
 */
describe('service: the bridge and watch mode run inside the desktop and serve', () => {
  let sim: RunningSimulator;
  let home: string;
  const secrets = createMemorySecretStore();
  const services: CompanionService[] = [];
  const events: CompanionEvent[] = [];

  async function open(): Promise<CompanionService> {
    const service = await openCompanionService({
      home,
      transport: 'http',
      logger: silentLogger,
      secretStore: secrets,
      env: { PATH: process.env['PATH'], BDC_COMPANION_CACHE_DIR: join(home, 'cache') },
      oauthRedirect: 'localhost',
      tuning: {
        relay: { watch: { intervalMs: 300, checkMs: 200 } },
        // The token poll is slow on purpose: a stored token must be tried at once, not at a poll.
        bridge: {
          backoff: { initialMs: 20, maxMs: 200, resetAfterMs: 60_000 },
          tokenPollMs: 60_000,
        },
      },
    });
    service.onEvent((event) => events.push(event));
    services.push(service);
    return service;
  }

  const connections = (): number =>
    sim.platform?.bridge.connections().filter((each) => each.installationId === platformId())
      .length ?? 0;
  const platformId = (): string => sim.platform?.installationId ?? '';

  async function until<T>(
    read: () => Promise<T> | T,
    done: (value: T) => boolean,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    sim = await startTestSimulator();
    home = mkdtempSync(join(tmpdir(), 'service-modes-'));
    const service = await open();
    await service.invoke('addInstallation', [
      { name: 'sim', baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
    ]);
    await service.invoke('signInWithPat', [{ installation: 'sim', token: sim.pat }]);
    await service.invoke('updateInstallation', [
      {
        installation: 'sim',
        platform: {
          baseUrl: sim.platform?.url ?? '',
          installationId: platformId(),
          caPems: [sim.platform?.caPem ?? ''],
        },
        relay: { listen: `127.0.0.1:${await freePort()}` },
      },
    ]);
    await service.invoke('setWebhookSecret', [
      { installation: 'sim', secret: sim.platform?.webhookSecret ?? '' },
    ]);
  }, 60_000);

  afterAll(async () => {
    for (const service of services) await service.close();
    await sim?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('starts the bridge when a token is stored, shows a refused token, and takes the right one without a restart', async () => {
    const service = services[0] as CompanionService;
    expect(await service.invoke('getBridgeStatus', [{ installation: 'sim' }])).toMatchObject({
      running: false,
      tokenConfigured: false,
    });
    expect(connections()).toBe(0);

    await service.invoke('setBridgeToken', [
      { installation: 'sim', token: 'abt_not-the-issued-one' },
    ]);
    const refused = await until(
      () => service.invoke('getBridgeStatus', [{ installation: 'sim' }]),
      (overview) => overview.status?.state === 'refused',
    );
    expect(refused.running).toBe(true);
    expect(refused.status?.lastError?.code).toBe('BRIDGE_TOKEN_REFUSED');
    expect(
      events.some((event) => event.kind === 'bridge-status' && event.status.state === 'refused'),
    ).toBe(true);

    await service.invoke('setBridgeToken', [
      { installation: 'sim', token: sim.platform?.bridgeToken ?? '' },
    ]);
    await until(
      () => service.invoke('getBridgeStatus', [{ installation: 'sim' }]),
      (overview) => overview.status?.state === 'connected',
      5_000,
    );
    expect(connections()).toBe(1);
    // The platform reads through the bridge the service runs.
    const answer = await sim.platform?.bridge.call(platformId(), {
      type: 'http',
      id: 'r-service-1',
      method: 'GET',
      path: '/rest/api/latest/application-properties',
    });
    expect(answer?.['status']).toBe(200);
  });

  it('closing the service stops its bridge; opening it again connects with the stored token', async () => {
    await (services.shift() as CompanionService).close();
    await until(connections, (count) => count === 0);
    const service = await open();
    const overview = await until(
      () => service.invoke('getBridgeStatus', [{ installation: 'sim' }]),
      (each) => each.status?.state === 'connected',
    );
    expect(overview.running).toBe(true);
    expect(connections()).toBe(1);
  });

  it('turns watch mode on and off in the running relay, without a restart', async () => {
    const service = services[0] as CompanionService;
    const started = await service.invoke('startRelay', [{ installation: 'sim' }]);
    expect(started).toMatchObject({ running: true, watch: { enabled: false, running: false } });
    expect(started.mode.mode).toBe('none');

    const repository = `${sim.project}/${sim.repo}`;
    // A wrong interval gets the use case's own code and words, and nothing is stored.
    await expect(
      service.invoke('configureWatch', [
        { installation: 'sim', repositories: [repository], intervalSeconds: 3 },
      ]),
    ).rejects.toMatchObject({ code: 'WATCH_INTERVAL_INVALID' });
    expect(openSettings(home).requireInstallation('sim').relay.watch).toBeUndefined();
    const watching = await service.invoke('configureWatch', [
      { installation: 'sim', repositories: [repository] },
    ]);
    expect(watching.watch).toMatchObject({ enabled: true, running: true });
    expect(watching.mode.mode).toBe('watch');
    // The first round stores the refs as they are; a push after it is a change.
    await until(
      () => service.invoke('getRelayStatus', [{ installation: 'sim' }]),
      (status) => status.watch.lastPollAt !== undefined && status.watch.watched === 1,
    );

    const work = mkdtempSync(join(tmpdir(), 'service-modes-clone-'));
    try {
      const copy = await cloneRepository(sim, join(work, 'repo'), sim.project, sim.repo);
      const before = sim.platform?.deliveries().length ?? 0;
      const commit = await copy.commit('watched by the service');
      await copy.run('push', '--quiet', 'origin', 'HEAD:main');
      const [delivery] = (await sim.platform?.waitForDeliveries(before + 1, 15_000))?.slice(
        before,
      ) ?? [undefined];
      expect(delivery).toBeDefined();
      const payload = watchEvent(delivery!, sim.platform?.webhookSecret ?? '');
      expect(payload.changes[0]?.toHash).toBe(commit);

      const off = await service.invoke('configureWatch', [{ installation: 'sim', off: true }]);
      expect(off.watch).toMatchObject({ enabled: false, running: false });
      expect(off.running).toBe(true);
      // Off means no more polling: a push now reaches nobody.
      const quiet = sim.platform?.deliveries().length ?? 0;
      await copy.commit('not watched any more');
      await copy.run('push', '--quiet', 'origin', 'HEAD:main');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(sim.platform?.deliveries().length).toBe(quiet);

      // `relay watch` from the CLI writes the settings file while the service runs: its relay
      // starts watching within its settings check, and the push made meanwhile arrives.
      configureWatch(openSettings(home), 'sim', {
        kind: 'on',
        repositories: [repository],
        projects: [],
      });
      await until(
        () => service.invoke('getRelayStatus', [{ installation: 'sim' }]),
        (status) => status.watch.running,
      );
      await sim.platform?.waitForDeliveries(quiet + 1, 15_000);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
