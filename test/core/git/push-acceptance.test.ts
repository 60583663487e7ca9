import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionError } from '../../../common/errors/companion-error.js';
import type { PushRequest, PushResult } from '../../../common/models/push.js';
import { CloneCache } from '../../../core/git/clone-cache.js';
import { DEFAULT_FALLBACK_THRESHOLD_MB } from '../../../core/git/push-config.js';
import { createIsoRunner } from '../../../core/git/iso-runner.js';
import { push, type PushRecord } from '../../../core/git/push-operation.js';
import { patAuthorization, startPushFixture, text, type PushFixture } from './push-fixture.js';

let fixture: PushFixture;
let repo: string;
beforeAll(async () => {
  fixture = await startPushFixture();
  repo = `${fixture.sim.project}/${fixture.sim.repo}`;
});
afterAll(async () => {
  await fixture?.close();
});

async function failureOf(promise: Promise<unknown>): Promise<CompanionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CompanionError);
    return error as CompanionError;
  }
  throw new Error('expected the push to fail');
}

const tip = (branch = 'main'): string =>
  fixture.serverGit(['rev-parse', `refs/heads/${branch}`]).trim();

describe('both engines', () => {
  it('produce byte-identical trees and commits for the same request and time', async () => {
    const base = tip();
    const fixedNow = () => Date.UTC(2026, 0, 2, 3, 4, 5);
    const request = (branch: string, engine: 'isomorphic-git' | 'git'): PushRequest => ({
      repo,
      branch,
      createFrom: 'main',
      message: 'Same change\n\nTwo engines, one commit.',
      author: { name: 'Grace Hopper', email: 'grace@example.com' },
      engine,
      changes: [
        { path: 'twin/a.txt', content: text('alpha\n') },
        { path: 'twin/deep/er/b.bin', content: new Uint8Array([0, 159, 146, 150, 255]) },
        { path: 'README.md', content: text('# replaced\n') },
        { path: 'ünïcödé/naïve.yaml', content: text('x: 1\n') },
      ],
    });
    // isomorphic-git clones on its own here (no git for the cold clone): both paths are covered.
    const iso = await push(
      fixture.installation,
      request('twin-iso', 'isomorphic-git'),
      fixture.deps({
        now: fixedNow,
        offsetMinutes: 90,
        config: { fallbackThresholdMb: DEFAULT_FALLBACK_THRESHOLD_MB, coldCloneWithGit: false },
      }),
    );
    const cli = await push(
      fixture.installation,
      request('twin-git', 'git'),
      fixture.deps({ now: fixedNow, offsetMinutes: 90 }),
    );
    expect(iso.kind).toBe('committed');
    expect(cli.kind).toBe('committed');
    if (iso.kind !== 'committed' || cli.kind !== 'committed') return;
    expect(iso.parent).toBe(base);
    expect(cli.parent).toBe(base);
    expect(cli.commit).toBe(iso.commit);
    expect(fixture.serverGit(['cat-file', 'commit', iso.commit])).toBe(
      fixture.serverGit(['cat-file', 'commit', cli.commit]),
    );
    expect(fixture.serverGit(['cat-file', 'commit', iso.commit])).toContain('1767323045 +0130');
    fixture.serverGit(['fsck', '--strict', '--no-dangling']);
  });
});

describe.each(['isomorphic-git', 'git'] as const)('%s engine', (engine) => {
  const base = (overrides: Partial<PushRequest> = {}): PushRequest => ({
    repo,
    branch: 'main',
    message: `change via ${engine}`,
    engine,
    changes: [
      { path: `notes/${engine}-${Math.random().toString(36).slice(2)}.txt`, content: text('x\n') },
    ],
    ...overrides,
  });

  it('keeps the mode of an executable file it modifies and reports an unchanged tree as a no-op', async () => {
    const scriptPath = `bin/run-${engine}.sh`;
    const seeded = await push(
      fixture.installation,
      base({ changes: [{ path: scriptPath, content: text('#!/bin/sh\n') }] }),
      fixture.deps(),
    );
    expect(seeded.kind).toBe('committed');
    // Make it executable from the outside, as a developer would.
    const work = await mkdtemp(path.join(tmpdir(), 'exec-'));
    const git = (args: string[]): string =>
      execFileSync('git', args, { cwd: work, encoding: 'utf8' });
    git(['clone', '-q', fixture.sim.repositoryPath(fixture.sim.project, fixture.sim.repo), '.']);
    git(['update-index', '--chmod=+x', scriptPath]);
    git(['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', 'commit', '-qm', 'chmod']);
    git(['push', '-q', 'origin', 'HEAD:main']);
    await rm(work, { recursive: true, force: true });

    const modified = await push(
      fixture.installation,
      base({ changes: [{ path: scriptPath, content: text('#!/bin/sh\necho hi\n') }] }),
      fixture.deps(),
    );
    expect(modified.kind).toBe('committed');
    expect(fixture.serverGit(['ls-tree', 'refs/heads/main', scriptPath])).toMatch(/^100755 blob /);

    const again = await push(
      fixture.installation,
      base({ changes: [{ path: scriptPath, content: text('#!/bin/sh\necho hi\n') }] }),
      fixture.deps(),
    );
    expect(again).toMatchObject({ kind: 'noop', parent: tip() });
  });

  it('retries at once on the tip the refusal named, fetching only its new objects, and records every attempt', async () => {
    fixture.sim.faults.raceNextPush(fixture.sim.project, fixture.sim.repo, 'main');
    fixture.sim.clearRequests();
    const records: PushRecord[] = [];
    const sleeps: number[] = [];
    const result = (await push(
      fixture.installation,
      base(),
      fixture.deps({
        onFinished: (record) => records.push(record),
        sleep: async (ms) => void sleeps.push(ms),
      }),
    )) as Extract<PushResult, { kind: 'committed' }>;
    expect(result.kind).toBe('committed');
    expect(result.attempts).toBe(2);
    expect(records[0]?.attempts.map((attempt) => attempt.outcome)).toEqual(['retry', 'ok']);
    expect(records[0]?.attempts[0]?.error?.code).toBe('PUSH_CONFLICT_EXHAUSTED');
    // receive-pack's refusal named where the branch stands: no backoff, no ref listing — the retry
    // asks upload-pack for that tip's objects and sends the rebuilt commit.
    expect(sleeps).toEqual([]);
    const git = fixture.sim
      .requests()
      .filter((entry) => entry.path.includes('/scm/'))
      .map((entry) => `${entry.method} ${entry.path.replace(/^.*\.git/, '')}`);
    const refused = git.indexOf('POST /git-receive-pack');
    expect(git.slice(refused + 1)).toEqual(['POST /git-upload-pack', 'POST /git-receive-pack']);
    // The foreign commit survived: our commit sits on top of it.
    expect(
      fixture.serverGit(['rev-list', '--count', `${result.parent}..${result.commit}`]).trim(),
    ).toBe('1');
    expect(fixture.serverGit(['log', '-1', '--format=%an', result.parent]).trim()).not.toBe('');
  });

  it('keeps its cache entry warm when every attempt lost the race', async () => {
    fixture.sim.faults.raceNextPush(fixture.sim.project, fixture.sim.repo, 'main');
    const deps = fixture.deps({ maxAttempts: 1 });
    const error = await failureOf(push(fixture.installation, base(), deps));
    expect(error.code).toBe('PUSH_CONFLICT_EXHAUSTED');
    // The entry is consistent after a refusal: the next push fetches what is new, never clones.
    const entry = (await deps.cache.list()).find(
      (candidate) => candidate.meta?.engine === engine && candidate.meta.repo === repo,
    );
    expect(entry?.meta).toBeDefined();
    expect((await push(fixture.installation, base(), deps)).kind).toBe('committed');
  });

  it("gives HOOK_REJECTED with BDC's text for a pull-request-only branch, without retrying", async () => {
    await push(
      fixture.installation,
      base({ branch: `guarded-${engine}`, createFrom: 'main' }),
      fixture.deps(),
    );
    fixture.sim.restrictBranch(fixture.sim.project, fixture.sim.repo, `guarded-${engine}`);
    const records: PushRecord[] = [];
    const error = await failureOf(
      push(
        fixture.installation,
        base({ branch: `guarded-${engine}` }),
        fixture.deps({ onFinished: (record) => records.push(record) }),
      ),
    );
    expect(error.code).toBe('HOOK_REJECTED');
    expect(error.message).toContain(
      `Branch refs/heads/guarded-${engine} can only be modified through pull requests.`,
    );
    expect(records[0]?.attempts).toHaveLength(1);
  });

  it('gives the permission code for a read-only token and the auth code for a wrong one', async () => {
    const readOnly = fixture.sim.addToken({
      user: fixture.sim.user.name,
      project: fixture.sim.project,
      repo: fixture.sim.repo,
      repoPermission: 'REPO_READ',
    });
    const denied = await failureOf(
      push(
        fixture.installation,
        base(),
        fixture.deps({ authorization: patAuthorization(fixture.sim.user.name, readOnly) }),
      ),
    );
    expect(denied.code).toBe('PUSH_PERMISSION_DENIED');
    const wrong = await failureOf(
      push(
        fixture.installation,
        base(),
        fixture.deps({
          authorization: patAuthorization(fixture.sim.user.name, 'BBDC-not-a-token'),
        }),
      ),
    );
    expect(wrong.code).toBe('PUSH_AUTH_FAILED');
    expect(wrong.message).not.toContain('BBDC-not-a-token');
  });

  it('names a missing repository, a missing branch and an untrusted CA with their own codes', async () => {
    expect(
      (
        await failureOf(
          push(fixture.installation, base({ repo: `${fixture.sim.project}/nope` }), fixture.deps()),
        )
      ).code,
    ).toBe('REPOSITORY_NOT_FOUND');
    expect(
      (
        await failureOf(
          push(fixture.installation, base({ branch: 'no-such-branch' }), fixture.deps()),
        )
      ).code,
    ).toBe('BRANCH_NOT_FOUND');
    // A new branch whose createFrom is missing too: the branch looked for last is named.
    const missingSource = await failureOf(
      push(
        fixture.installation,
        base({ branch: 'no-such-branch', createFrom: 'no-such-source' }),
        fixture.deps(),
      ),
    );
    expect(missingSource.code).toBe('BRANCH_NOT_FOUND');
    expect(missingSource.data).toEqual({ branch: 'no-such-source' });
    const untrusted = { ...fixture.installation, id: `untrusted-${engine}`, caPems: [] };
    expect((await failureOf(push(untrusted, base(), fixture.deps()))).code).toBe('PUSH_TLS_FAILED');
  });

  it('refuses unsafe paths and case-only clashes before touching the server', async () => {
    const before = tip();
    for (const bad of [
      '../x',
      '.git/config',
      'a//b',
      '/abs',
      'a\\b',
      'A/.GIT/x',
      'nul\u0000byte',
    ]) {
      expect(
        (
          await failureOf(
            push(
              fixture.installation,
              base({ changes: [{ path: bad, content: text('x') }] }),
              fixture.deps(),
            ),
          )
        ).code,
      ).toBe('PATH_INVALID');
    }
    // README.md exists: readme.md would clash with it on Windows and macOS checkouts.
    expect(
      (
        await failureOf(
          push(
            fixture.installation,
            base({ changes: [{ path: 'readme.md', content: text('x') }] }),
            fixture.deps(),
          ),
        )
      ).code,
    ).toBe('PATH_INVALID');
    // A file cannot become a folder implicitly.
    expect(
      (
        await failureOf(
          push(
            fixture.installation,
            base({ changes: [{ path: 'README.md/inside', content: text('x') }] }),
            fixture.deps(),
          ),
        )
      ).code,
    ).toBe('PATH_INVALID');
    expect(tip()).toBe(before);
  });
});

describe('network failures', () => {
  it('retries a server error within the attempt budget and names a persistent one PUSH_NETWORK_FAILED', async () => {
    const request: PushRequest = {
      repo,
      branch: 'main',
      message: 'through a flaky network',
      changes: [{ path: 'net/flaky.txt', content: text(`${Date.now()}\n`) }],
    };
    fixture.sim.faults.failNext(1, 503, { pathPrefix: '/scm' });
    const records: PushRecord[] = [];
    const landed = await push(
      fixture.installation,
      request,
      fixture.deps({ onFinished: (record) => records.push(record) }),
    );
    expect(landed.kind).toBe('committed');
    expect(records[0]?.attempts.map((attempt) => attempt.error?.code ?? attempt.outcome)).toEqual([
      'PUSH_NETWORK_FAILED',
      'ok',
    ]);

    fixture.sim.faults.failNext(50, 503, { pathPrefix: '/scm' });
    const error = await failureOf(
      push(
        fixture.installation,
        { ...request, changes: [{ path: 'net/down.txt', content: text('x') }] },
        fixture.deps(),
      ),
    );
    fixture.sim.faults.clear();
    expect(error.code).toBe('PUSH_NETWORK_FAILED');
  });
});

describe('concurrency', () => {
  it('lands 10 concurrent pushes from the companion plus an external git pusher: linear, complete, nothing forced', async () => {
    const start = tip();
    // An external developer pushing with plain git all along.
    const work = await mkdtemp(path.join(tmpdir(), 'external-'));
    const git = (args: string[]): string =>
      execFileSync('git', args, { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    git(['clone', '-q', fixture.sim.repositoryPath(fixture.sim.project, fixture.sim.repo), '.']);
    const external: string[] = [];
    let stop = false;
    const externalLoop = (async () => {
      for (let round = 0; !stop && external.length < 8; round += 1) {
        try {
          git(['pull', '-q', '--rebase', 'origin', 'main']);
          git([
            '-c',
            'user.name=ext',
            '-c',
            'user.email=ext@example.com',
            'commit',
            '-q',
            '--allow-empty',
            '-m',
            `external ${round}`,
          ]);
          git(['push', '-q', 'origin', 'HEAD:main']);
          external.push(git(['rev-parse', 'HEAD']).trim());
        } catch {
          // Lost the race this round; a real developer would pull and try again too.
        }
        await new Promise((resolve) => setTimeout(resolve, 600));
      }
    })();
    // Two cache handles on one folder and two workers: as if the desktop app and the daemon
    // pushed at the same time (the repository lock is a file, shared across processes).
    const runners = [createIsoRunner(), createIsoRunner()];
    const caches = [0, 1, 2].map(
      () => new CloneCache({ root: path.join(fixture.dir, 'concurrent') }),
    );
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        push(
          fixture.installation,
          {
            repo,
            branch: 'main',
            message: `concurrent ${index}`,
            engine: index % 5 === 4 ? 'git' : 'isomorphic-git',
            changes: [{ path: `landed/${index}.txt`, content: text(`${index}\n`) }],
          },
          fixture.deps({
            cache: caches[index % 3] as CloneCache,
            isoRunner: runners[index % 2] as (typeof runners)[number],
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          }),
        ),
      ),
    );
    stop = true;
    await externalLoop;
    await Promise.all(runners.map((runner) => runner.close()));
    await rm(work, { recursive: true, force: true });

    const final = tip();
    expect(external.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(result.kind).toBe('committed');
      if (result.kind !== 'committed') continue;
      fixture.serverGit(['merge-base', '--is-ancestor', result.commit, final]);
      fixture.serverGit(['merge-base', '--is-ancestor', result.parent, result.commit]);
    }
    for (const commit of external)
      fixture.serverGit(['merge-base', '--is-ancestor', commit, final]);
    expect(fixture.serverGit(['rev-list', '--merges', `${start}..${final}`]).trim()).toBe('');
    const files = fixture
      .serverGit(['ls-tree', '--name-only', `${final}:landed`])
      .trim()
      .split('\n');
    expect(files.sort(), files.join(',')).toEqual(
      Array.from({ length: 10 }, (_, index) => `${index}.txt`).sort(),
    );
    // A linear chain from the start: every commit in between has exactly one parent.
    const chain = fixture
      .serverGit(['rev-list', '--parents', `${start}..${final}`])
      .trim()
      .split('\n');
    for (const line of chain) expect(line.split(' ')).toHaveLength(2);
    expect(chain.length).toBeGreaterThanOrEqual(10 + external.length);
    fixture.serverGit(['fsck', '--strict', '--no-dangling']);
  }, 120_000);
});
