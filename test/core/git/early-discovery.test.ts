import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushAuthor } from '../../../common/models/push.js';
import { push } from '../../../core/git/push-operation.js';
import { startPushFixture, text, type PushFixture } from './push-fixture.js';

// The first attempt's ref discovery is sent before the committer lookup is awaited and before the
// engine loads (core/git/push-operation.ts, `earlyDiscovery`): a whole `bdc-companion push`
// process then waits for BDC once where it waited twice (bench/RESULTS.md). Proven through the
// simulator's own request log, never a timer.

let fixture: PushFixture;
beforeAll(async () => {
  fixture = await startPushFixture();
});
afterAll(async () => {
  await fixture?.close();
});

const isDiscovery = (entry: { method: string; path: string; query: string }): boolean =>
  entry.method === 'GET' &&
  entry.path.endsWith('/info/refs') &&
  entry.query.includes('service=git-receive-pack');

describe.each(['isomorphic-git', 'git'] as const)('a push with %s', (engine) => {
  it('asks where the branch stands while the committer lookup is still pending, and only once', async () => {
    const repo = `${fixture.sim.project}/${fixture.sim.repo}`;
    const request = (message: string) => ({
      repo,
      branch: 'main',
      message,
      changes: [{ path: `early/${engine}.yaml`, content: text(`${message}\n`) }],
      engine,
    });
    // Warm the cache: the measured push is the usual one, after the companion's own last push.
    await push(fixture.installation, request('warm-up'), fixture.deps());
    fixture.sim.clearRequests();

    // The committer lookup answers only once BDC has seen the discovery (or, on code that waits
    // for the lookup first, after 3 s, and the check below fails).
    let answeredAfterDiscovery = false;
    const author = new Promise<PushAuthor>((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const seen = fixture.sim.requests().some(isDiscovery);
        if (seen || Date.now() - started > 3000) {
          clearInterval(poll);
          answeredAfterDiscovery = seen;
          resolve({ name: 'Early Bird', email: 'early@example.test' });
        }
      }, 5);
    });
    const result = await push(
      fixture.installation,
      request('measured'),
      fixture.deps({ signedInAuthor: author }),
    );
    expect(result.kind).toBe('committed');
    expect(answeredAfterDiscovery).toBe(true);
    // The attempt built on that answer: no second discovery.
    expect(fixture.sim.requests().filter(isDiscovery)).toHaveLength(1);
    expect(fixture.serverGit(['log', '-1', '--format=%ce', 'refs/heads/main']).trim()).toBe(
      'early@example.test',
    );
    fixture.serverGit(['fsck', '--strict', '--no-dangling']);
  });
});

describe('when the early discovery fails', () => {
  it('the attempt discovers by itself and reports the failure as before', async () => {
    const outcome = await push(
      fixture.installation,
      {
        repo: `${fixture.sim.project}/${fixture.sim.repo}`,
        branch: 'main',
        message: 'wrong token',
        changes: [{ path: 'early/refused.yaml', content: text('x\n') }],
      },
      fixture.deps({ authorization: fixture.authorization('not-a-valid-token') }),
    ).catch((error: unknown) => error as { code?: string });
    expect((outcome as { code?: string }).code).toBe('PUSH_AUTH_FAILED');
  });
});
