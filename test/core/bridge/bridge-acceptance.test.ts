import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBridge } from '../../../core/bridge/installation-bridge.js';
import { MAX_FRAME_BYTES } from '../../../core/bridge/bridge-limits.js';
import { startBridgeFixture, waitForState, type BridgeFixture } from './bridge-fixture.js';

let fixture: BridgeFixture;
let bridge: RunningBridge;

beforeAll(async () => {
  fixture = await startBridgeFixture([]);
  fixture.settings.saveInstallation({
    ...fixture.installation,
    bridge: { push: [`${fixture.sim.project}/${fixture.sim.repo}:main`], readProjects: [] },
  });
  bridge = fixture.start();
  await waitForState(bridge, 'connected');
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

const api = '/rest/api/latest';

function read(path: string, query: Record<string, string> = {}, extra: object = {}) {
  return fixture.platform('http', { method: 'GET', path, query, ...extra });
}

describe('bridge acceptance (BRIDGE.md against the simulator)', () => {
  it('says hello with the policy, and the platform lists projects and repositories page by page', async () => {
    const listing = fixture.sim.platform!.bridge.connections();
    expect(listing).toHaveLength(1);
    expect(listing[0]!.hello).toMatchObject({
      type: 'hello',
      protocol: 1,
      installation: fixture.sim.platform!.installationId,
      bdc: { baseUrl: fixture.sim.url },
      policy: { push: [`${fixture.sim.project}/${fixture.sim.repo}:main`] },
    });
    const projects = await read(`${api}/projects`, { limit: '100' });
    expect(projects['status']).toBe(200);
    const body = JSON.parse(Buffer.from(String(projects['bodyBase64']), 'base64').toString());
    expect(body.values.map((p: { key: string }) => p.key)).toContain(fixture.sim.project);

    await fixture.sim.addRepository(fixture.sim.project, 'second');
    const slugs: string[] = [];
    let start = '0';
    for (let page = 0; page < 10; page += 1) {
      const answer = await read(`${api}/projects/${fixture.sim.project}/repos`, {
        start,
        limit: '1',
      });
      const json = JSON.parse(Buffer.from(String(answer['bodyBase64']), 'base64').toString());
      slugs.push(...json.values.map((repo: { slug: string }) => repo.slug));
      if (json.isLastPage) break;
      start = String(json.nextPageStart);
    }
    expect(slugs).toEqual(expect.arrayContaining([fixture.sim.repo, 'second']));
    expect(slugs.length).toBeGreaterThanOrEqual(2);
  });

  it('never passes BDC identity headers back', async () => {
    const answer = await read(
      `${api}/application-properties`,
      {},
      {
        headers: {
          accept: 'application/json',
          authorization: 'Bearer platform-secret',
          cookie: 'a=b',
        },
      },
    );
    expect(answer['status']).toBe(200);
    const headers = answer['headers'] as Record<string, string>;
    expect(Object.keys(headers).sort()).toEqual(expect.arrayContaining(['content-type']));
    for (const name of Object.keys(headers)) {
      expect([
        'content-type',
        'content-length',
        'etag',
        'last-modified',
        'content-range',
      ]).toContain(name);
    }
  });

  it('lands a 20-file commit that git fsck --strict accepts, once per push id, shown as a bridge push', async () => {
    const before = fixture.serverGit(['rev-parse', 'main']).trim();
    const changes = Array.from({ length: 20 }, (_, index) => ({
      op: 'put',
      path: `bridge/file-${index}.txt`,
      content: Buffer.from(`content ${index}\n`).toString('base64'),
    }));
    const frame = {
      id: 'p-twenty',
      repo: `${fixture.sim.project}/${fixture.sim.repo}`,
      branch: 'main',
      message: 'Twenty files through the bridge',
      author: { name: 'Ankra', email: 'bot@ankra.io' },
      changes,
      expectedTip: before,
    };
    const result = await fixture.platform('push', frame);
    expect(result).toMatchObject({ type: 'push.result', id: 'p-twenty', ok: true });
    const commit = String(result['commit']);
    expect(fixture.serverGit(['rev-parse', 'main']).trim()).toBe(commit);
    expect(fixture.serverGit(['rev-parse', `${commit}^`]).trim()).toBe(before);
    expect(
      fixture.serverGit(['diff', '--name-only', before, commit]).trim().split('\n'),
    ).toHaveLength(20);
    fixture.serverGit(['fsck', '--strict']);

    const again = await fixture.platform('push', frame);
    expect(again).toEqual(result);
    expect(fixture.serverGit(['rev-parse', 'main']).trim()).toBe(commit);

    const entries = fixture.engine.history({ limit: 10 }).entries;
    const bridged = entries.filter((entry) => entry.requestId === 'p-twenty');
    expect(bridged).toHaveLength(1);
    expect(bridged[0]).toMatchObject({ source: 'bridge', result: 'committed', commit });
  });

  it('reads a file through raw and browse byte-exact', async () => {
    const repo = `${api}/projects/${fixture.sim.project}/repos/${fixture.sim.repo}`;
    const path = fixture.serverGit(['ls-tree', '-r', '--name-only', 'main']).trim().split('\n')[0]!;
    const expected = Buffer.from(
      execFileSync('git', [
        '--git-dir',
        fixture.sim.repositoryPath(fixture.sim.project, fixture.sim.repo),
        'show',
        `main:${path}`,
      ]),
    );
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const raw = await read(`${repo}/raw/${encoded}`, { at: 'refs/heads/main' });
    expect(raw['status']).toBe(200);
    expect(Buffer.from(String(raw['bodyBase64']), 'base64').equals(expected)).toBe(true);
    expect(raw['bodyBytes']).toBe(expected.length);

    const browse = await read(`${repo}/browse/${encoded}`, {
      at: 'refs/heads/main',
      limit: '5000',
    });
    expect(browse['status']).toBe(200);
    const page = JSON.parse(
      Buffer.from(String(browse['bodyBase64']), 'base64').toString('utf8'),
    ) as {
      lines: { text: string }[];
    };
    const text = page.lines.map((line) => line.text).join('\n');
    expect(text).toBe(expected.toString('utf8').replace(/\n$/, ''));
  });

  it('refuses a moved expectedTip without pushing', async () => {
    const result = await fixture.platform('push', {
      id: 'p-stale',
      repo: `${fixture.sim.project}/${fixture.sim.repo}`,
      branch: 'main',
      message: 'stale',
      changes: [{ op: 'delete', path: 'bridge/file-0.txt' }],
      expectedTip: '0'.repeat(40),
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'PUSH_TIP_MOVED' } });
  });

  it('refuses an expectedTip push when a competitor lands after the tip was read, naming the tip', async () => {
    const before = fixture.serverGit(['rev-parse', 'main']).trim();
    // The competitor commits with the real git CLI just before receive-pack applies the update:
    // after the companion discovered, fetched and built on `before` (a read of the tip before the
    // push cannot see it; only receive-pack's compare-and-swap can).
    fixture.sim.faults.raceNextPush(fixture.sim.project, fixture.sim.repo, 'main');
    const result = await fixture.platform('push', {
      id: 'p-raced',
      repo: `${fixture.sim.project}/${fixture.sim.repo}`,
      branch: 'main',
      message: 'raced',
      changes: [
        { op: 'put', path: 'bridge/raced.txt', content: Buffer.from('x').toString('base64') },
      ],
      expectedTip: before,
    });
    const competitor = fixture.serverGit(['rev-parse', 'main']).trim();
    expect(competitor).not.toBe(before);
    expect(result).toMatchObject({
      type: 'push.result',
      ok: false,
      error: { code: 'PUSH_TIP_MOVED', data: { expected: before, tip: competitor } },
    });
    expect(fixture.serverGit(['rev-list', `${before}..main`]).trim()).toBe(competitor);
    fixture.serverGit(['fsck', '--strict']);
  });

  it('refuses what the policy does not allow, and none of it reaches BDC', async () => {
    fixture.sim.clearRequests();
    const refusals: [object, string][] = [
      [{ method: 'GET', path: `${api}/admin/users` }, 'BRIDGE_POLICY_DENIED'],
      [{ method: 'GET', path: '/rest/../admin' }, 'BRIDGE_BAD_REQUEST'],
      [{ method: 'GET', path: `${api}/projects/%2e%2e/admin` }, 'BRIDGE_BAD_REQUEST'],
      [{ method: 'GET', path: `${fixture.sim.url}${api}/projects` }, 'BRIDGE_BAD_REQUEST'],
      [{ method: 'POST', path: `${api}/projects` }, 'BRIDGE_POLICY_DENIED'],
    ];
    for (const [frame, code] of refusals) {
      const answer = await fixture.platform('http', frame);
      expect(answer, JSON.stringify(frame)).toMatchObject({ type: 'error', error: { code } });
    }
    const push = await fixture.platform('push', {
      id: 'p-denied',
      repo: `${fixture.sim.project}/${fixture.sim.repo}`,
      branch: 'release/1',
      message: 'not allowed',
      changes: [{ op: 'delete', path: 'README.md' }],
    });
    expect(push).toMatchObject({
      type: 'error',
      id: 'p-denied',
      error: { code: 'BRIDGE_POLICY_DENIED' },
    });
    const oversized = await fixture.platform('http', {
      id: 'r-big',
      raw: JSON.stringify({
        type: 'http',
        id: 'r-big',
        method: 'GET',
        path: `${api}/projects`,
        pad: 'x'.repeat(MAX_FRAME_BYTES),
      }),
    });
    expect(oversized).toMatchObject({
      type: 'error',
      id: 'r-big',
      error: { code: 'BRIDGE_BAD_REQUEST' },
    });
    expect(fixture.sim.requests()).toEqual([]);
    // The connection survived every refusal.
    expect((await read(`${api}/application-properties`))['status']).toBe(200);
  });

  it('answers BRIDGE_BUSY over the in-flight limit and aborts a cancelled read', async () => {
    // Every request is held 3 s at BDC, so all 20 are in flight together even on a loaded machine.
    fixture.sim.faults.latency(3_000);
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          read(`${api}/application-properties`, {}, { id: `r-busy-${index}` }),
        ),
      );
      const busy = answers.filter(
        (answer) => (answer['error'] as { code?: string } | undefined)?.code === 'BRIDGE_BUSY',
      );
      expect(busy.length).toBeGreaterThanOrEqual(1);
      expect(busy.length).toBeLessThanOrEqual(4);
      expect(answers.filter((answer) => answer['status'] === 200)).toHaveLength(20 - busy.length);

      const started = Date.now();
      const cancelled = read(`${api}/application-properties`, {}, { id: 'r-cancel' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await fixture.platform('send', { frame: { type: 'cancel', id: 'r-cancel' } });
      expect(await cancelled).toMatchObject({
        id: 'r-cancel',
        error: { code: 'BRIDGE_CANCELLED' },
      });
      expect(Date.now() - started).toBeLessThan(2_800);
    } finally {
      fixture.sim.faults.latency(0);
    }
  });

  it('never lets the BDC credential reach a frame the platform receives, nor a log line', () => {
    const pat = fixture.sim.pat;
    const frames = fixture.sim.platform!.bridge.receivedFrames();
    expect(frames.length).toBeGreaterThan(10);
    for (const frame of frames) {
      const text = typeof frame === 'string' ? frame : frame.toString('latin1');
      expect(text.includes(pat)).toBe(false);
      expect(text.toLowerCase().includes('x-ausername')).toBe(false);
    }
    expect(fixture.logs.length).toBeGreaterThan(10);
    expect(fixture.logs.some((line) => line.includes('"bridge request"'))).toBe(true);
    for (const line of fixture.logs) {
      expect(line.includes(pat)).toBe(false);
      expect(line.includes(fixture.sim.platform!.bridgeToken)).toBe(false);
    }
  });
});
