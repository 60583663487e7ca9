import type { EngineAttemptInput } from './engine-attempt.js';
import { prepareGitEnvironments } from './git-attempt-environments.js';
import { fetchBranch } from './git-fetch.js';
import { initBareRepository } from './git-init.js';
import { failure } from './push-failure.js';
import { updateTrackingRef } from './tracking-ref.js';

/**
 * A cold clone made by git for the isomorphic-git engine: a bare gitdir with one depth-1 pack,
 * its index and the `shallow` file, and no maintenance files (gc, commit-graph and
 * multi-pack-index writing are off), so isomorphic-git reads it as its own.
 */
export async function cloneWithGit(input: EngineAttemptInput, branch: string): Promise<string> {
  const { localEnv, remoteEnv } = await prepareGitEnvironments(input);
  const local = { cwd: input.scratchDir, env: localEnv };
  await initBareRepository(input.gitdir, local);
  const fetched = await fetchBranch(input, remoteEnv, branch);
  if (fetched === 'missing') {
    throw failure(
      'fatal',
      'BRANCH_NOT_FOUND',
      `Branch "${branch}" does not exist in the repository.`,
      { branch },
    );
  }
  await updateTrackingRef(input.gitdir, fetched);
  return fetched;
}
