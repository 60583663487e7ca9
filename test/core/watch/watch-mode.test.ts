import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import {
  startInstallationRelay,
  type RunningInstallationRelay,
} from '../../../core/relay/installation-relay.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { openDatabase } from '../../../core/storage/database.js';
import { configureWatch } from '../../../core/use-cases/configure-watch.js';
import { WatchStore } from '../../../core/watch/watch-store.js';
import { makeSimHome, type SimHome } from '../../cli/webhooks-fixture.js';
import {
  simRequest,
  startTestSimulator,
  tempDir,
  type RunningSimulator,
} from '../../helpers/sim.js';
import { cloneRepository, watchEvent, type WorkingCopy } from './watch-fixture.js';

const ZERO = '0'.repeat(40);
/** Test port: far below the 5 s users may choose, so the suite does not wait out real intervals. */
const INTERVAL_MS = 150;

let sim: RunningSimulator;
let home: SimHome;
let work: { path: string; remove(): Promise<void> };

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A repository webhook on the simulated BDC with the installation's secret. */
async function registerWebhook(project: string, slug: string, url: string): Promise<void> {
  const response = await simRequest(
    sim,
    `/rest/api/1.0/projects/${project}/repos/${slug}/webhooks`,
    {
      method: 'POST',
      bearer: sim.pat,
      body: {
        name: 'Ankra',
        url,
        events: ['repo:refs_changed'],
        active: true,
        configuration: { secret: sim.platform!.webhookSecret },
      },
    },
  );
  expect(response.status).toBe(200);
}

async function startWatching(
  repositories: readonly string[],
): Promise<{ relay: RunningInstallationRelay; database: Database }> {
  const installation = configureWatch(openSettings(home.home), 'corp', {
    kind: 'on',
    repositories,
    projects: [],
  });
  const database = openDatabase(home.home);
  const relay = await startInstallationRelay(installation, {
    database,
    secrets: home.secrets,
    env: {},
    listen: { host: '127.0.0.1', port: 0 },
    watch: { intervalMs: INTERVAL_MS },
  });
  // The first round records where watching starts (no events for what happened before).
  await relay.watch!.nextRound();
  return { relay, database };
}

beforeAll(async () => {
  sim = await startTestSimulator();
  home = await makeSimHome(sim);
  work = await tempDir('watch-mode-');
  await sim.addRepository(sim.project, 'unreachable', { files: 3, bytes: 200 });
  await sim.addRepository(sim.project, 'both', { files: 3, bytes: 200 });
}, 60_000);

afterAll(async () => {
  await sim?.close();
  home?.cleanup();
  await work?.remove();
});

describe('watch mode, BDC cannot reach the relay', () => {
  it('a push, a new branch, a deleted branch and a tag each reach the platform as the signed event BDC would send', async () => {
    const slug = 'unreachable';
    // As on a VPN laptop: BDC's delivery to the relay is refused.
    await registerWebhook(
      sim.project,
      slug,
      `http://127.0.0.1:${await closedPort()}/webhooks/bitbucket-dc/x`,
    );
    const { relay, database } = await startWatching([`${sim.project}/${slug}`]);
    const platform = sim.platform!;
    const secret = platform.webhookSecret;
    try {
      platform.clearDeliveries();
      const copy: WorkingCopy = await cloneRepository(
        sim,
        `${work.path}/${slug}`,
        sim.project,
        slug,
      );
      const before = await copy.run('rev-parse', 'HEAD');

      // 1. A push of two commits: one UPDATE with the whole range.
      await copy.commit('one');
      const head = await copy.commit('two');
      await copy.run('push', '--quiet', 'origin', 'HEAD:main');
      const [pushed] = await platform.waitForDeliveries(1, 10_000);
      const update = watchEvent(pushed!, secret);
      expect(update.eventKey).toBe('repo:refs_changed');
      expect(update.actor.name).toBe(sim.user.name);
      expect(`${update.repository.project.key}/${update.repository.slug}`).toBe(
        `${sim.project}/${slug}`,
      );
      expect(update.changes).toEqual([
        {
          ref: { id: 'refs/heads/main', displayId: 'main', type: 'BRANCH' },
          refId: 'refs/heads/main',
          fromHash: before,
          toHash: head,
          type: 'UPDATE',
        },
      ]);
      expect(update.toCommit?.id).toBe(head);
      expect(update.toCommit?.parents.map((parent) => parent.id)).toEqual([
        await copy.run('rev-parse', 'HEAD~1'),
      ]);
      expect(update.commits?.map((commit) => commit.id)).toEqual(await copy.log(head, before));

      // 2. A new branch with one commit of its own: ADD from zero, commits = what it brought.
      platform.clearDeliveries();
      const branchHead = await copy.commit('feature');
      await copy.run('push', '--quiet', 'origin', 'HEAD:refs/heads/feature/watch');
      const add = watchEvent((await platform.waitForDeliveries(1, 10_000))[0]!, secret);
      expect(add.changes[0]).toMatchObject({
        ref: { id: 'refs/heads/feature/watch', displayId: 'feature/watch', type: 'BRANCH' },
        fromHash: ZERO,
        toHash: branchHead,
        type: 'ADD',
      });
      expect(add.commits?.map((commit) => commit.id)).toEqual(await copy.log(branchHead, head));
      expect(add.toCommit?.id).toBe(branchHead);

      // 3. The branch deleted: DELETE to zero, no commits.
      platform.clearDeliveries();
      await copy.run('push', '--quiet', 'origin', ':refs/heads/feature/watch');
      const removed = watchEvent((await platform.waitForDeliveries(1, 10_000))[0]!, secret);
      expect(removed.changes[0]).toMatchObject({
        ref: { id: 'refs/heads/feature/watch', type: 'BRANCH' },
        fromHash: branchHead,
        toHash: ZERO,
        type: 'DELETE',
      });
      expect(removed.toCommit).toBeUndefined();
      expect(removed.commits).toEqual([]);

      // 4. An annotated tag: toHash is the tag object, toCommit the commit it tags.
      platform.clearDeliveries();
      await copy.run('tag', '-a', 'v1.0', '-m', 'release 1.0');
      await copy.run('push', '--quiet', 'origin', 'v1.0');
      const tag = watchEvent((await platform.waitForDeliveries(1, 10_000))[0]!, secret);
      expect(tag.changes[0]).toMatchObject({
        ref: { id: 'refs/tags/v1.0', displayId: 'v1.0', type: 'TAG' },
        fromHash: ZERO,
        toHash: await copy.run('rev-parse', 'v1.0'),
        type: 'ADD',
      });
      expect(tag.toCommit?.id).toBe(branchHead);

      // BDC did try, and failed, exactly as the relay being unreachable means; what it tried to
      // send is the same event, field for field (the date and request id aside).
      await sim.webhooks.idle();
      const tried = sim.webhooks
        .invocations()
        .filter((call) => call.eventKey === 'repo:refs_changed');
      expect(tried).toHaveLength(4);
      expect(tried.every((call) => call.outcome !== 'SUCCESS')).toBe(true);
      const bdcSent = tried.map((call) => JSON.parse(call.body) as Record<string, unknown>);
      [update, add, removed, tag].forEach((watched, index) => {
        const { date: _watchDate, ...ours } = watched as unknown as Record<string, unknown>;
        const { date: _bdcDate, ...theirs } = bdcSent[index]!;
        expect(Object.keys(watched)).toEqual(Object.keys(bdcSent[index]!));
        expect(ours).toEqual(theirs);
      });
      // Nothing more arrives in later rounds: each change was sent once.
      await relay.watch!.nextRound();
      await relay.watch!.nextRound();
      expect(platform.deliveries()).toHaveLength(1);
    } finally {
      await relay.close();
      database.close();
    }
  }, 60_000);
});

describe('watch mode and webhooks together', () => {
  it('with BDC reaching the relay and watch mode on, each push reaches the platform exactly once', async () => {
    const slug = 'both';
    const { relay, database } = await startWatching([`${sim.project}/${slug}`]);
    const platform = sim.platform!;
    const watchStatus = () =>
      new WatchStore(database).status(home.installation.id, { enabled: true, intervalSeconds: 15 });
    const before = watchStatus();
    try {
      await registerWebhook(sim.project, slug, relay.webhookUrl);
      platform.clearDeliveries();
      const copy = await cloneRepository(sim, `${work.path}/${slug}`, sim.project, slug);
      const heads: string[] = [];
      for (const marker of ['a', 'b', 'c']) {
        heads.push(await copy.commit(marker));
        await copy.run('push', '--quiet', 'origin', 'HEAD:main');
        // Let the watch see each push too before the next one.
        await relay.watch!.nextRound();
        await relay.watch!.nextRound();
      }
      await sim.webhooks.idle();
      await relay.watch!.nextRound();
      // Give the forwarder time to send anything still queued (it would be a duplicate).
      await new Promise((resolve) => setTimeout(resolve, 500));
      const received = platform
        .deliveries()
        .map(
          (delivery) =>
            JSON.parse(delivery.body.toString('utf8')) as { changes: { toHash: string }[] },
        )
        .map((payload) => payload.changes.map((change) => change.toHash).join(','));
      expect(received.sort()).toEqual([...heads].sort());
      expect(platform.deliveries().every((delivery) => delivery.signatureValid)).toBe(true);
      // The watch saw each push too: it either left it to BDC's delivery or (when its round came
      // first) sent it and BDC's delivery was the one dropped — never both.
      const after = watchStatus();
      const sentByWatch = after.events - before.events;
      expect(sentByWatch + (after.deduplicated - before.deduplicated)).toBeGreaterThanOrEqual(
        heads.length,
      );
      expect(
        platform
          .deliveries()
          .filter((delivery) => delivery.headers['x-ankra-event-source'] === 'companion-watch'),
      ).toHaveLength(sentByWatch);
    } finally {
      await relay.close();
      database.close();
    }
  }, 60_000);
});
