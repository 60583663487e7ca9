import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSettings } from '../../core/settings/settings-file.js';
import { openDatabase } from '../../core/storage/database.js';
import { configureWatch } from '../../core/use-cases/configure-watch.js';
import { WatchStore } from '../../core/watch/watch-store.js';
import type { PlatformDelivery } from '../../sim/simulator-api.js';
import { startTestSimulator, tempDir, type RunningSimulator } from '../helpers/sim.js';
import { waitFor } from '../core/relay/relay-fixture.js';
import { cloneRepository, watchEvent } from '../core/watch/watch-fixture.js';
import { spawnRelay, type RelayProcess } from './relay-harness.js';
import { makeSimHome, type SimHome } from './webhooks-fixture.js';

const watchChild = fileURLToPath(new URL('./watch-child.ts', import.meta.url));
const SLUG = 'crash-watch';
const ZERO = '0'.repeat(40);

let sim: RunningSimulator;
let home: SimHome;
let work: { path: string; remove(): Promise<void> };
let relay: RelayProcess | undefined;

beforeAll(async () => {
  sim = await startTestSimulator();
  home = await makeSimHome(sim);
  work = await tempDir('watch-crash-');
  await sim.addRepository(sim.project, SLUG, { files: 2, bytes: 100 });
  configureWatch(openSettings(home.home), 'corp', {
    kind: 'on',
    repositories: [`${sim.project}/${SLUG}`],
    projects: [],
  });
}, 60_000);

afterAll(async () => {
  if (relay && relay.child.exitCode === null && relay.child.signalCode === null) {
    relay.child.kill('SIGKILL');
    await relay.exited;
  }
  await sim?.close();
  home?.cleanup();
  await work?.remove();
});

/** Whether the running watch has recorded the repository's refs (its first round is done). */
function baselineRecorded(): boolean {
  const database = openDatabase(home.home);
  try {
    return (
      new WatchStore(database).storedRefs(home.installation.id, `${sim.project}/${SLUG}`) !==
      undefined
    );
  } finally {
    database.close();
  }
}

describe('watch mode across a crash', () => {
  it('kill -9 while watching, two pushes and a new branch while down, restart: each ref’s change arrives once, with the whole range', async () => {
    const platform = sim.platform!;
    const secret = platform.webhookSecret;
    const env = home.env;
    relay = spawnRelay(['corp', '--listen', '127.0.0.1:0'], env, watchChild);
    await relay.ready;
    await waitFor(baselineRecorded, 20_000, 'the first round');

    const copy = await cloneRepository(sim, `${work.path}/${SLUG}`, sim.project, SLUG);
    platform.clearDeliveries();
    const first = await copy.commit('before the crash');
    await copy.run('push', '--quiet', 'origin', 'HEAD:main');
    const [seen] = await platform.waitForDeliveries(1, 20_000);
    expect(watchEvent(seen!, secret).changes[0]?.toHash).toBe(first);

    relay.child.kill('SIGKILL');
    await relay.exited;
    platform.clearDeliveries();

    // While the companion is down: two pushes to main, and a new branch.
    await copy.commit('down 1');
    await copy.run('push', '--quiet', 'origin', 'HEAD:main');
    const second = await copy.commit('down 2');
    await copy.run('push', '--quiet', 'origin', 'HEAD:main');
    await copy.run('push', '--quiet', 'origin', 'HEAD:refs/heads/while-down');

    relay = spawnRelay(['corp', '--listen', '127.0.0.1:0'], env, watchChild);
    await relay.ready;
    // The event acknowledged by the platform just before the kill may be sent again (the relay
    // forwards at least once, with the same X-Request-Id, which the platform deduplicates).
    const preCrash = seen!.headers['x-request-id'];
    const fresh = (): PlatformDelivery[] =>
      platform.deliveries().filter((delivery) => delivery.headers['x-request-id'] !== preCrash);
    await waitFor(() => fresh().length >= 2, 20_000, 'the changes made while down');
    // Several more rounds: nothing else may arrive.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const arrived = fresh();
    expect(arrived).toHaveLength(2);
    const events = arrived.map((delivery) => watchEvent(delivery, secret));
    const byRef = new Map(events.map((event) => [event.changes[0]!.refId, event]));
    const main = byRef.get('refs/heads/main')!;
    expect(main.changes).toHaveLength(1);
    expect(main.changes[0]).toMatchObject({ fromHash: first, toHash: second, type: 'UPDATE' });
    expect(main.commits?.map((commit) => commit.id)).toEqual(await copy.log(second, first));
    expect(main.commits).toHaveLength(2);
    const branch = byRef.get('refs/heads/while-down')!;
    expect(branch.changes[0]).toMatchObject({ fromHash: ZERO, toHash: second, type: 'ADD' });
    expect(branch.commits).toEqual([]);
  }, 90_000);
});
