import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { PushChangeKind } from '../../common/models/push.js';
import { createDispatcher } from '../net/network-factory.js';
import { CatFileBatch } from './cat-file-batch.js';
import { branchHasInvalidPath, planChanges } from './change-plan.js';
import { buildChangeSet } from './change-set.js';
import {
  normaliseMessage,
  type CommitSignature,
  type EngineAttemptInput,
  type EngineAttemptResult,
  type ProgressSink,
} from './engine-attempt.js';
import { ZERO_OID } from './git-objects.js';
import { runGit, runGitChecked } from './git-process.js';
import { discoverReceivePack } from './smart-http.js';
import { assertFastForward } from './fast-forward.js';
import { prepareGitEnvironments } from './git-attempt-environments.js';
import { fetchBranch } from './git-fetch.js';
import { pushCommit } from './git-push.js';
import { lastLine } from './git-transport-errors.js';
import { TRACKING_REF } from './tracking-ref.js';
import { failure } from './push-failure.js';

function gitDate(signature: CommitSignature): string {
  const sign = signature.offsetMinutes < 0 ? '-' : '+';
  const minutes = Math.abs(signature.offsetMinutes);
  const zone = `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
  return `${signature.timestamp} ${zone}`;
}

/**
 * The git CLI engine: bare clone, temporary index and plumbing, `git push` without a plus
 * refspec or a force flag, so git itself refuses anything but a fast-forward and receive-pack's compare-and-swap
 * refuses a ref that moved. Used above the size threshold, where git's memory and speed win.
 */
export async function runCliAttempt(
  input: EngineAttemptInput,
  progress: ProgressSink,
): Promise<EngineAttemptResult> {
  const { gitdir, branch, attempt } = input;
  const { localEnv, remoteEnv } = await prepareGitEnvironments(input);
  const git = (
    args: readonly string[],
    env = localEnv,
    stdin?: string | Uint8Array,
  ): Promise<Buffer> =>
    runGitChecked(['--git-dir', gitdir, ...args], {
      cwd: input.scratchDir,
      env,
      ...(stdin === undefined ? {} : { stdin }),
    });

  if (input.cold) {
    await mkdir(gitdir, { recursive: true });
    await runGitChecked(['init', '--bare', '--quiet', gitdir], {
      cwd: input.scratchDir,
      env: localEnv,
    });
  }

  progress({ phase: 'fetch', attempt, detail: 'discover' });
  // Where the branch stands, over the companion's own HTTP stack (no git process, and the
  // credential's write access is checked before anything is fetched). When the cache already
  // holds that tip — the usual case after our own last push — git fetch is skipped.
  const dispatcher = createDispatcher(input.network);
  let advertisement;
  try {
    advertisement = await discoverReceivePack(
      {
        dispatcher,
        headers: { authorization: input.authorization, 'user-agent': input.userAgent },
      },
      input.url,
    );
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
  let sourceBranch = branch;
  let remoteTip = advertisement.refs.get(`refs/heads/${branch}`);
  if (remoteTip === undefined && input.createFrom !== undefined) {
    sourceBranch = input.createFrom;
    remoteTip = advertisement.refs.get(`refs/heads/${input.createFrom}`);
  }
  if (remoteTip === undefined) {
    throw failure(
      'fatal',
      'BRANCH_NOT_FOUND',
      `Branch "${sourceBranch}" does not exist in the repository.`,
      { branch: sourceBranch },
    );
  }
  const creating = sourceBranch !== branch;
  const { root } = buildChangeSet(input.changes);
  let reader = new CatFileBatch(gitdir, localEnv);
  let base = remoteTip;
  let plan;
  try {
    let commitBody = input.cold ? undefined : await reader.read(remoteTip);
    if (commitBody === undefined) {
      progress({ phase: 'fetch', attempt });
      const fetched = await fetchBranch(input, remoteEnv, sourceBranch);
      if (fetched === 'missing') {
        throw failure(
          'fatal',
          'BRANCH_NOT_FOUND',
          `Branch "${sourceBranch}" does not exist in the repository.`,
          { branch: sourceBranch },
        );
      }
      // The branch may have moved since discovery; build on what was fetched.
      base = fetched;
      await git(['update-ref', TRACKING_REF, base]);
      reader.close();
      reader = new CatFileBatch(gitdir, localEnv);
      commitBody = await reader.read(base);
    }
    progress({ phase: 'build', attempt, done: 0, total: input.changes.length });
    const tree = /^tree ([0-9a-f]{40})/.exec(commitBody?.toString('utf8') ?? '')?.[1];
    if (tree === undefined) {
      throw new CompanionError(
        'GIT_ENGINE_FAILED',
        `Commit ${base} is missing from the clone cache.`,
      );
    }
    plan = await planChanges(tree, root, (oid) => reader.readTree(oid));
  } finally {
    reader.close();
  }
  if (plan.files.length === 0) return { kind: 'noop', parent: base };

  const work = path.join(input.scratchDir, `work-${randomBytes(6).toString('hex')}`);
  await mkdir(work, { recursive: true, mode: 0o700 });
  try {
    const puts = plan.files.flatMap((file) => (file.action === 'delete' ? [] : [file]));
    const blobPaths: string[] = [];
    for (const [index, file] of puts.entries()) {
      const blobPath = path.join(work, `blob-${index}`);
      await writeFile(blobPath, file.content);
      blobPaths.push(blobPath);
    }
    if (blobPaths.length > 0) {
      const oids = (
        await git(
          ['hash-object', '-w', '--no-filters', '--stdin-paths'],
          localEnv,
          `${blobPaths.join('\n')}\n`,
        )
      )
        .toString('utf8')
        .trim()
        .split('\n');
      puts.forEach((file, index) => {
        if (oids[index] !== file.oid) {
          throw new CompanionError(
            'GIT_ENGINE_FAILED',
            `git stored ${file.path} under an unexpected id.`,
          );
        }
      });
    }
    const indexEnv = { ...localEnv, GIT_INDEX_FILE: path.join(work, 'index') };
    await readBaseIntoIndex(gitdir, base, { cwd: input.scratchDir, env: indexEnv });
    const indexInfo = plan.files
      .map((file) =>
        file.action === 'delete'
          ? `0 ${ZERO_OID}\t${file.path}`
          : `${file.mode} ${file.oid}\t${file.path}`,
      )
      .join('\u0000');
    await updateIndex(gitdir, `${indexInfo}\u0000`, { cwd: input.scratchDir, env: indexEnv });
    const tree = (await git(['write-tree'], indexEnv)).toString('utf8').trim();
    const commitEnv = {
      ...localEnv,
      GIT_AUTHOR_NAME: input.author.name,
      GIT_AUTHOR_EMAIL: input.author.email,
      GIT_AUTHOR_DATE: gitDate(input.author),
      GIT_COMMITTER_NAME: input.committer.name,
      GIT_COMMITTER_EMAIL: input.committer.email,
      GIT_COMMITTER_DATE: gitDate(input.committer),
    };
    const commit = (
      await git(
        ['commit-tree', tree, '-p', base, '-F', '-'],
        commitEnv,
        normaliseMessage(input.message),
      )
    )
      .toString('utf8')
      .trim();
    progress({ phase: 'build', attempt, done: plan.files.length, total: plan.files.length });

    assertFastForward(creating ? ZERO_OID : base, base, [base]);
    progress({ phase: 'push', attempt });
    await pushCommit(input, remoteEnv, commit);
    await git(['update-ref', TRACKING_REF, commit]);
    return {
      kind: 'committed',
      commit,
      parent: base,
      paths: plan.files.map((file) => ({ path: file.path, kind: file.action as PushChangeKind })),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Loads the base tree into the temporary index. The index never reaches a working tree, so
 * git's checkout protections (core.protectNTFS/HFS) are off here: an entry the branch already
 * holds in a folder this push does not touch is carried over unchanged, as the isomorphic-git
 * engine does; touched folders were checked by planChanges. What git still refuses (an exact
 * `.git`, `.`, `..`) is named with its own code.
 */
async function readBaseIntoIndex(
  gitdir: string,
  base: string,
  options: { readonly cwd: string; readonly env: Record<string, string> },
): Promise<void> {
  const args = ['-c', 'core.protectNTFS=false', '-c', 'core.protectHFS=false', 'read-tree', base];
  const result = await runGit(['--git-dir', gitdir, ...args], options);
  if (result.code === 0) return;
  const invalidPath = /invalid path '(.*)'/u.exec(result.stderr)?.[1];
  if (invalidPath !== undefined) {
    throw branchHasInvalidPath(invalidPath, 'is a name git refuses in any tree');
  }
  throw new CompanionError('GIT_ENGINE_FAILED', `git read-tree failed: ${lastLine(result.stderr)}`);
}

/**
 * `update-index --index-info` skips a path it refuses with "Ignoring path" and still exits 0: the
 * commit would silently lack that file. The paths were checked against git's rules before, so
 * this only fires if those rules and the installed git disagree — and then nothing is pushed.
 */
async function updateIndex(
  gitdir: string,
  indexInfo: string,
  options: { readonly cwd: string; readonly env: Record<string, string> },
): Promise<void> {
  const result = await runGit(['--git-dir', gitdir, 'update-index', '-z', '--index-info'], {
    ...options,
    stdin: indexInfo,
  });
  const ignored = /Ignoring path (.*)/u.exec(result.stderr)?.[1];
  if (ignored !== undefined) {
    throw new CompanionError(
      'PATH_INVALID',
      `Path "${JSON.stringify(ignored).slice(1, -1)}" is refused by the installed git.`,
      { data: { path: JSON.stringify(ignored).slice(1, -1), reason: 'refused by git' } },
    );
  }
  if (result.code !== 0) {
    throw new CompanionError(
      'GIT_ENGINE_FAILED',
      `git update-index failed: ${lastLine(result.stderr)}`,
    );
  }
}
