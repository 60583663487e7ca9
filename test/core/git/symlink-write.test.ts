import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** A branch whose `config/link` is a symbolic link to `target.yaml`, made with git plumbing. */
function branchWithLink(branch: string): void {
  const gitdir = fixture.sim.repositoryPath(fixture.sim.project, fixture.sim.repo);
  const git = (args: string[], input?: string): string =>
    execFileSync('git', ['--git-dir', gitdir, ...args], {
      encoding: 'utf8',
      input,
      env: {
        PATH: process.env['PATH'],
        GIT_AUTHOR_NAME: 'Dev',
        GIT_AUTHOR_EMAIL: 'dev@example.com',
        GIT_COMMITTER_NAME: 'Dev',
        GIT_COMMITTER_EMAIL: 'dev@example.com',
      },
    }).trim();
  const target = git(['hash-object', '-w', '--stdin'], 'target.yaml');
  const file = git(['hash-object', '-w', '--stdin'], 'a: 1\n');
  const config = git(['mktree'], `120000 blob ${target}\tlink\n100644 blob ${file}\ttarget.yaml\n`);
  const main = git(['rev-parse', 'refs/heads/main']);
  const rootEntries = git(['ls-tree', `${main}^{tree}`])
    .split('\n')
    .filter((line) => !line.endsWith('\tconfig'));
  const root = git(['mktree'], `${[...rootEntries, `040000 tree ${config}\tconfig`].join('\n')}\n`);
  git(['update-ref', `refs/heads/${branch}`, git(['commit-tree', root, '-p', main, '-m', 'link'])]);
}

describe.each(['isomorphic-git', 'git'] as const)('%s engine', (engine) => {
  it('writing a path that is a symbolic link replaces it with a regular file (mode 100644)', async () => {
    const branch = `link-${engine}`;
    branchWithLink(branch);
    const result = await push(
      fixture.installation,
      {
        repo,
        branch,
        message: 'write onto the link',
        engine,
        changes: [{ path: 'config/link', content: text('replaced: true\n') }],
      },
      fixture.deps(),
    );
    expect(result.kind).toBe('committed');
    expect(fixture.serverGit(['ls-tree', `refs/heads/${branch}`, 'config/'])).toMatch(
      /^100644 blob [0-9a-f]{40}\tconfig\/link$/mu,
    );
    expect(fixture.serverGit(['show', `refs/heads/${branch}:config/link`])).toBe(
      'replaced: true\n',
    );
    // The file the link pointed at is untouched.
    expect(fixture.serverGit(['show', `refs/heads/${branch}:config/target.yaml`])).toBe('a: 1\n');
  });

  it('content equal to the link target still turns the link into a regular file (no no-op)', async () => {
    const branch = `link-same-${engine}`;
    branchWithLink(branch);
    const result = await push(
      fixture.installation,
      {
        repo,
        branch,
        message: 'same bytes as the target',
        engine,
        changes: [{ path: 'config/link', content: text('target.yaml') }],
      },
      fixture.deps(),
    );
    expect(result.kind).toBe('committed');
    expect(fixture.serverGit(['ls-tree', `refs/heads/${branch}`, 'config/link'])).toMatch(
      /^100644 blob /u,
    );
  });
});
