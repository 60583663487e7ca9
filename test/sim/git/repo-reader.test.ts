import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryAt, resolveCommit, splitRepoPath } from '../../../sim/git/repo-reader.js';
import { tempDir } from '../../helpers/sim.js';

/**
 * What a client's `at=` and path can make git do: name a commit, a branch or a tag — never a
 * revision expression (`:/text` searches messages, `@{…}` reads reflogs, `..` ranges), an option
 * (`--…`), or a path outside the tree.
 */
const run = promisify(execFile);
let repo: { path: string; remove(): Promise<void> };
let tip: string;

beforeAll(async () => {
  repo = await tempDir();
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], {
      cwd: repo.path,
    });
  await git('init', '--quiet', '--initial-branch=main', '.');
  await git('commit', '--quiet', '--allow-empty', '-m', 'Initial secret message');
  await git('tag', 'v1');
  tip = (await git('rev-parse', 'HEAD')).stdout.trim();
});

afterAll(async () => {
  await repo?.remove();
});

describe('sim repo reader', () => {
  it('resolves a branch, a qualified ref, a tag and a full or abbreviated commit id', async () => {
    for (const at of ['main', 'refs/heads/main', 'v1', 'refs/tags/v1', tip, tip.slice(0, 7)]) {
      expect(await resolveCommit(repo.path, at), at).toBe(tip);
    }
  });

  it('refuses revision expressions and options', async () => {
    for (const at of [
      ':/secret',
      'main@{0}',
      'main~0',
      'main^',
      'v1..main',
      '--all',
      '-n',
      'HEAD:',
    ]) {
      expect(await resolveCommit(repo.path, at), at).toBeUndefined();
    }
  });

  it('refuses dot segments in paths', async () => {
    expect(splitRepoPath('a//b/')).toEqual(['a', 'b']);
    expect(splitRepoPath('a/../b')).toBeUndefined();
    expect(splitRepoPath('./a')).toBeUndefined();
    expect(await entryAt(repo.path, tip, ['missing'])).toBeUndefined();
  });
});
