import path from 'node:path';
import { CompanionError } from '../../common/errors/companion-error.js';
import { readBoundedFile } from '../io/bounded-file.js';
import type { EngineAttemptInput } from './engine-attempt.js';
import { runGit } from './git-process.js';
import { classifyGitTransport } from './git-transport-errors.js';

/** Fetches one branch's tip (depth 1: git asks for thin packs, so warm fetches stay small). */
export async function fetchBranch(
  input: EngineAttemptInput,
  env: Record<string, string>,
  branch: string,
): Promise<string | 'missing'> {
  const result = await runGit(
    [
      '--git-dir',
      input.gitdir,
      'fetch',
      '--quiet',
      '--no-tags',
      '--depth=1',
      '--no-write-commit-graph',
      input.url,
      `refs/heads/${branch}`,
    ],
    { cwd: input.scratchDir, env },
  );
  if (result.code !== 0) {
    if (/couldn't find remote ref/i.test(result.stderr)) return 'missing';
    throw classifyGitTransport(result.stderr, `${input.url} (fetch)`);
  }
  const head = (await readBoundedFile(path.join(input.gitdir, 'FETCH_HEAD'), 'internal')).toString(
    'utf8',
  );
  const oid = /^([0-9a-f]{40})/.exec(head)?.[1];
  if (oid === undefined)
    throw new CompanionError('GIT_ENGINE_FAILED', 'git fetch wrote no FETCH_HEAD.');
  return oid;
}
