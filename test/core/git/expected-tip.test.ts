import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionError } from '../../../common/errors/companion-error.js';
import type { PushRequest, PushResult } from '../../../common/models/push.js';
import { push, type PushRecord } from '../../../core/git/push-operation.js';
import { startPushFixture, text, type PushFixture } from './push-fixture.js';

/*
 * An expected tip is the push's own compare-and-swap (docs/bridge.md, "expectedTip"): against the
 * simulator's real git http-backend, a competitor that moves the branch after the companion read
 * it (the simulator's race fault commits with the real git CLI just before receive-pack runs) gets
 * the push refused with the tip it left — not rebased over as an ordinary push is.
 */

let fixture: PushFixture;
let repo: string;
beforeAll(async () => {
  fixture = await startPushFixture();
  repo = `${fixture.sim.project}/${fixture.sim.repo}`;
});
afterAll(async () => {
  await fixture?.close();
});

const tip = (branch = 'main'): string | undefined => {
  const out = fixture.serverGit(['for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`]);
  return out.trim() === '' ? undefined : out.trim();
};

async function refusal(promise: Promise<unknown>): Promise<CompanionError> {
  const outcome = await promise.then(
    (result) => result,
    (error: unknown) => error,
  );
  expect(outcome, JSON.stringify(outcome)).toBeInstanceOf(CompanionError);
  return outcome as CompanionError;
}

describe.each(['isomorphic-git', 'git'] as const)('expected tip, %s engine', (engine) => {
  const request = (overrides: Partial<PushRequest> = {}): PushRequest => ({
    repo,
    branch: 'main',
    message: `expected tip (${engine})`,
    engine,
    changes: [{ path: `expected/${engine}-${Date.now()}.txt`, content: text(`${engine}\n`) }],
    ...overrides,
  });

  it('lands on exactly the expected tip', async () => {
    const before = tip() as string;
    const result = (await push(
      fixture.installation,
      request({ expectedTip: before }),
      fixture.deps(),
    )) as Extract<PushResult, { kind: 'committed' }>;
    expect(result).toMatchObject({ kind: 'committed', parent: before, attempts: 1 });
    expect(tip()).toBe(result.commit);
    expect(fixture.serverGit(['rev-parse', `${result.commit}^`]).trim()).toBe(before);
    fixture.serverGit(['fsck', '--strict']);
  });

  it('is refused with the tip a competitor left between the read and the update, and never retried', async () => {
    const before = tip() as string;
    // The competitor lands after the companion discovered and fetched `before` and built its
    // commit on it, just before receive-pack applies the update.
    fixture.sim.faults.raceNextPush(fixture.sim.project, fixture.sim.repo, 'main');
    const records: PushRecord[] = [];
    const error = await refusal(
      push(
        fixture.installation,
        request({ expectedTip: before }),
        fixture.deps({ onFinished: (record) => records.push(record) }),
      ),
    );
    const competitor = tip() as string;
    expect(competitor).not.toBe(before);
    expect(error.code).toBe('PUSH_TIP_MOVED');
    expect(error.data).toMatchObject({ branch: 'main', expected: before, tip: competitor });
    expect(error.message).toContain(competitor);
    // Only the competitor's commit is on the branch: ours was neither landed nor rebased.
    expect(fixture.serverGit(['rev-list', `${before}..main`]).trim()).toBe(competitor);
    expect(records[0]?.attempts.map((attempt) => attempt.outcome)).toEqual(['failed']);
    expect(records[0]?.error?.code).toBe('PUSH_TIP_MOVED');
    fixture.serverGit(['fsck', '--strict']);
  });

  it('is refused when the branch is already elsewhere, naming where', async () => {
    const now = tip() as string;
    const stale = fixture.serverGit(['rev-parse', `${now}^`]).trim();
    const error = await refusal(
      push(fixture.installation, request({ expectedTip: stale }), fixture.deps()),
    );
    expect(error.code).toBe('PUSH_TIP_MOVED');
    expect(error.data).toMatchObject({ expected: stale, tip: now });
    expect(tip()).toBe(now);
  });

  it('is refused for a branch that does not exist, which it does not create', async () => {
    const branch = `absent-${engine}`;
    const error = await refusal(
      push(
        fixture.installation,
        request({ branch, createFrom: 'main', expectedTip: tip() as string }),
        fixture.deps(),
      ),
    );
    expect(error.code).toBe('PUSH_TIP_MOVED');
    expect(error.data).toMatchObject({ branch, tip: null, exists: false });
    expect(tip(branch)).toBeUndefined();
  });
});

it('refuses an expected tip that is not a full commit id', async () => {
  const error = await refusal(
    push(
      fixture.installation,
      {
        repo,
        branch: 'main',
        message: 'x',
        changes: [{ path: 'x.txt', content: text('x') }],
        expectedTip: 'abc123',
      },
      fixture.deps(),
    ),
  );
  expect(error.code).toBe('PUSH_REQUEST_INVALID');
});
