import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionError } from '../../../common/errors/companion-error.js';
import type { PushRequest } from '../../../common/models/push.js';
import { push } from '../../../core/git/push-operation.js';
import { startPushFixture, text, type PushFixture } from './push-fixture.js';

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

const tip = (branch: string): string =>
  fixture.serverGit(['rev-parse', `refs/heads/${branch}`]).trim();

/** Plants `apps/<name>/x` on a new branch with git plumbing, as another tool could. */
function plantBranch(branch: string, name: string): void {
  const gitdir = fixture.sim.repositoryPath(fixture.sim.project, fixture.sim.repo);
  const git = (args: string[], input?: string): string =>
    execFileSync('git', ['--git-dir', gitdir, ...args], {
      encoding: 'utf8',
      input,
      env: {
        PATH: process.env['PATH'],
        GIT_AUTHOR_NAME: 'Other Tool',
        GIT_AUTHOR_EMAIL: 'tool@example.com',
        GIT_COMMITTER_NAME: 'Other Tool',
        GIT_COMMITTER_EMAIL: 'tool@example.com',
      },
    }).trim();
  const blob = git(['hash-object', '-w', '--stdin'], 'planted\n');
  const inner = git(['mktree'], `100644 blob ${blob}\tx\n`);
  const apps = git(['mktree'], `040000 tree ${inner}\t${name}\n100644 blob ${blob}\tkeep.txt\n`);
  const main = tip('main');
  const rootEntries = git(['ls-tree', `${main}^{tree}`])
    .split('\n')
    .filter((line) => !line.endsWith('\tapps'));
  const root = git(['mktree'], `${[...rootEntries, `040000 tree ${apps}\tapps`].join('\n')}\n`);
  git([
    'update-ref',
    `refs/heads/${branch}`,
    git(['commit-tree', root, '-p', main, '-m', 'plant']),
  ]);
}

describe.each(['isomorphic-git', 'git'] as const)('%s engine', (engine) => {
  const request = (overrides: Partial<PushRequest>): PushRequest => ({
    repo,
    branch: 'main',
    message: 'path rules',
    engine,
    changes: [],
    ...overrides,
  });

  it('refuses every .git alias with PATH_INVALID before anything is pushed', async () => {
    const before = tip('main');
    for (const alias of [
      '.git./hooks/post-checkout',
      '.git /config',
      'GIT~1/config',
      '.git::$INDEX_ALLOCATION/config',
      'apps/.git\u200c/config',
      'apps/\ufeff.GIT/config',
    ]) {
      const error = await failureOf(
        push(
          fixture.installation,
          request({ changes: [{ path: alias, content: text('[core]\n') }] }),
          fixture.deps(),
        ),
      );
      expect(error.code, alias).toBe('PATH_INVALID');
    }
    expect(tip('main')).toBe(before);
  });

  it('names an entry the branch already holds with BRANCH_HAS_INVALID_PATH, and pushes to other folders still work', async () => {
    const branch = `planted-${engine}`;
    plantBranch(branch, '.git.');
    const before = tip(branch);
    const blocked = await failureOf(
      push(
        fixture.installation,
        request({ branch, changes: [{ path: 'apps/new.txt', content: text('new\n') }] }),
        fixture.deps(),
      ),
    );
    expect(blocked.code).toBe('BRANCH_HAS_INVALID_PATH');
    expect(blocked.message).toContain('"apps/.git."');
    expect(tip(branch)).toBe(before);

    const elsewhere = await push(
      fixture.installation,
      request({ branch, changes: [{ path: 'docs/elsewhere.txt', content: text('fine\n') }] }),
      fixture.deps(),
    );
    expect(elsewhere.kind).toBe('committed');
    expect(fixture.serverGit(['ls-tree', '-r', '--name-only', tip(branch)])).toContain(
      'apps/.git./x',
    );
  });
});

it('the removal documented in docs/git-path-rules.md clears the entry, and the push then lands', async () => {
  plantBranch('planted-fix', 'GIT~1');
  const work = await mkdtemp(path.join(tmpdir(), 'dotgit-fix-'));
  try {
    const env = {
      PATH: process.env['PATH'],
      HOME: work,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Admin',
      GIT_AUTHOR_EMAIL: 'admin@example.com',
      GIT_COMMITTER_NAME: 'Admin',
      GIT_COMMITTER_EMAIL: 'admin@example.com',
    };
    const off = ['-c', 'core.protectNTFS=false', '-c', 'core.protectHFS=false'];
    const git = (args: string[]): string =>
      execFileSync('git', args, { cwd: path.join(work, 'repo'), env, encoding: 'utf8' });
    execFileSync(
      'git',
      [
        'clone',
        '-q',
        '--no-checkout',
        '--branch',
        'planted-fix',
        fixture.sim.repositoryPath(fixture.sim.project, fixture.sim.repo),
        'repo',
      ],
      { cwd: work, env },
    );
    git([...off, 'reset', '-q']);
    git([...off, 'rm', '-r', '-q', '--cached', '--', 'apps/GIT~1']);
    git([...off, 'commit', '-q', '-m', 'Remove an entry git refuses']);
    git(['push', '-q', 'origin', 'HEAD:planted-fix']);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const result = await push(
    fixture.installation,
    {
      repo,
      branch: 'planted-fix',
      message: 'after the fix',
      changes: [{ path: 'apps/new.txt', content: text('new\n') }],
    },
    fixture.deps(),
  );
  expect(result.kind).toBe('committed');
});
