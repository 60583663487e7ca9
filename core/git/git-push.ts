import type { EngineAttemptInput } from './engine-attempt.js';
import { runGit } from './git-process.js';
import { classifyGitTransport } from './git-transport-errors.js';
import { classifyRefRejection } from './push-failure.js';
import { hookText } from './smart-http.js';

/**
 * Pushes one commit to the branch with `git push --porcelain` and reads git's per-ref report: a
 * rejection becomes the catalogued refusal (hook text included), anything else a transport error.
 */
export async function pushCommit(
  input: EngineAttemptInput,
  env: Record<string, string>,
  commit: string,
): Promise<void> {
  const ref = `refs/heads/${input.branch}`;
  // No plus refspec and no force flag: git refuses non-fast-forwards, the server's CAS the rest.
  const result = await runGit(
    [
      '--git-dir',
      input.gitdir,
      'push',
      '--porcelain',
      '--no-verify',
      input.url,
      `${commit}:${ref}`,
    ],
    {
      cwd: input.scratchDir,
      env,
    },
  );
  const stdout = result.stdout.toString('utf8');
  const line = stdout
    .split('\n')
    .find(
      (candidate) => candidate.includes(`\t${commit}:${ref}\t`) || candidate.includes(`:${ref}\t`),
    );
  if (line !== undefined) {
    const flag = line[0];
    if (result.code === 0 && (flag === ' ' || flag === '*')) return;
    const summary = line.split('\t')[2] ?? '';
    const reason = /\(([^)]*)\)/.exec(summary)?.[1] ?? summary;
    const remote = result.stderr
      .split('\n')
      .filter((text) => text.startsWith('remote:'))
      .join('\n');
    throw classifyRefRejection(reason, hookText(remote), ref);
  }
  throw classifyGitTransport(result.stderr, `${input.url} (push)`);
}
