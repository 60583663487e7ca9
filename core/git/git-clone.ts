import { mkdir } from 'node:fs/promises';
import type { EngineAttemptInput } from './engine-attempt.js';
import { prepareGitEnvironments } from './git-attempt-environments.js';
import { fetchBranch } from './git-fetch.js';
import { runGitChecked } from './git-process.js';
import { failure } from './push-failure.js';
import { TRACKING_REF } from './tracking-ref.js';

/**
 * A cold clone made by git for the isomorphic-git engine: a bare gitdir with one depth-1 pack,
 * its index and the `shallow` file, and no maintenance files (gc, commit-graph and
 * multi-pack-index writing are off), so isomorphic-git reads it as its own.
 */
export async function cloneWithGit(input: EngineAttemptInput, branch: string): Promise<string> {
  const { localEnv, remoteEnv } = await prepareGitEnvironments(input);
  await mkdir(input.gitdir, { recursive: true });
  await runGitChecked(['init', '--bare', '--quiet', input.gitdir], {
    cwd: input.scratchDir,
    env: localEnv,
  });
  const fetched = await fetchBranch(input, remoteEnv, branch);
  if (fetched === 'missing') {
    throw failure(
      'fatal',
      'BRANCH_NOT_FOUND',
      `Branch "${branch}" does not exist in the repository.`,
      { branch },
    );
  }
  await runGitChecked(['--git-dir', input.gitdir, 'update-ref', TRACKING_REF, fetched], {
    cwd: input.scratchDir,
    env: localEnv,
  });
  return fetched;
}
