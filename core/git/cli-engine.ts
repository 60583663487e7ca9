import { CompanionError } from '../../common/errors/companion-error.js';
import type { PushChangeKind } from '../../common/models/push.js';
import { createDispatcher } from '../net/network-factory.js';
import { CatFileBatch } from './cat-file-batch.js';
import { planChanges } from './change-plan.js';
import { commitObjects } from './commit-objects.js';
import { buildChangeSet } from './change-set.js';
import {
  type EngineAttemptInput,
  type EngineAttemptResult,
  type ProgressSink,
} from './engine-attempt.js';
import { ZERO_OID } from './git-objects.js';
import { initBareRepository } from './git-init.js';
import { updateTrackingRef } from './git-update-ref.js';
import { buildPack, writeLooseObjects } from './object-writer.js';
import { discoverExpectedBranch, sendOnExpectedTip, tipMoved } from './expected-tip.js';
import { sendReceivePack, type SmartHttpClient } from './smart-http.js';
import { assertFastForward } from './fast-forward.js';
import { prepareGitEnvironments } from './git-attempt-environments.js';
import { fetchBranch } from './git-fetch.js';
import { pushCommit } from './git-push.js';
import { failure } from './push-failure.js';

/**
 * The git CLI engine: bare clone, the commit's objects written by the companion, `git push` without a plus
 * refspec or a force flag, so git itself refuses anything but a fast-forward and receive-pack's compare-and-swap
 * refuses a ref that moved. Used above the size threshold, where git's memory and speed win. A push
 * with an expected tip sends its update itself, with that tip as the old id (sendOnExpectedBase).
 */
export async function runCliAttempt(
  input: EngineAttemptInput,
  progress: ProgressSink,
): Promise<EngineAttemptResult> {
  const { gitdir, branch, attempt } = input;
  const { localEnv, remoteEnv } = await prepareGitEnvironments(input);
  const local = { cwd: input.scratchDir, env: localEnv };
  if (input.cold) await initBareRepository(gitdir, local);

  progress({ phase: 'fetch', attempt, detail: 'discover' });
  // Where the branch stands, over the companion's own HTTP stack (no git process, and the
  // credential's write access is checked before anything is fetched). When the cache already
  // holds that tip — the usual case after our own last push — git fetch is skipped.
  const expected = input.expectedBase;
  const dispatcher = createDispatcher(input.network);
  const client: SmartHttpClient = {
    dispatcher,
    headers: { authorization: input.authorization, 'user-agent': input.userAgent },
  };
  let discovered;
  try {
    discovered = await discoverExpectedBranch(
      client,
      input.url,
      branch,
      input.createFrom,
      expected,
    );
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
  const { sourceBranch, tip: remoteTip } = discovered;
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
        if (expected !== undefined) throw tipMoved(branch, expected, 'missing');
        throw failure(
          'fatal',
          'BRANCH_NOT_FOUND',
          `Branch "${sourceBranch}" does not exist in the repository.`,
          { branch: sourceBranch },
        );
      }
      // The branch may have moved since discovery; build on what was fetched — unless the
      // push must land on exactly the expected tip.
      if (expected !== undefined && fetched !== expected) {
        throw tipMoved(branch, expected, fetched);
      }
      base = fetched;
      await updateTrackingRef(gitdir, base, local);
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

  // The commit's objects (new blobs, the rewritten folders, the commit) are built in memory and
  // stored loose, as the isomorphic-git engine does: no temporary index, no read-tree of the
  // whole base tree and no process per step; untouched folders keep their ids, and `git push`
  // packs exactly what the server lacks.
  progress({ phase: 'build', attempt, done: 0, total: plan.files.length });
  const { objects, commit } = commitObjects(plan, base, input);
  await writeLooseObjects(gitdir, objects);
  progress({ phase: 'build', attempt, done: plan.files.length, total: plan.files.length });

  assertFastForward(creating ? ZERO_OID : base, base, [base]);
  progress({ phase: 'push', attempt });
  if (expected === undefined) await pushCommit(input, remoteEnv, commit);
  else await sendOnExpectedBase(input, expected, commit, objects);
  await updateTrackingRef(gitdir, commit, local);
  return {
    kind: 'committed',
    commit,
    parent: base,
    paths: plan.files.map((file) => ({ path: file.path, kind: file.action as PushChangeKind })),
  };
}

/**
 * The update of a push with an expected tip, sent as the isomorphic-git engine sends it: one pack
 * of exactly the commit's objects, with the expected tip as receive-pack's old id. `git push`
 * offers no compare-and-swap on a given old id except its force-with-lease option (a force option), and
 * its own old id is whatever the server advertises at that moment: a deleted branch would be
 * created, a branch moved back to an older commit fast-forwarded (docs/bridge.md, "expectedTip").
 */
async function sendOnExpectedBase(
  input: EngineAttemptInput,
  expected: string,
  commit: string,
  objects: Parameters<typeof buildPack>[0],
): Promise<void> {
  const dispatcher = createDispatcher(input.network);
  const client: SmartHttpClient = {
    dispatcher,
    headers: { authorization: input.authorization, 'user-agent': input.userAgent },
  };
  const update = { ref: `refs/heads/${input.branch}`, oldOid: expected, newOid: commit };
  try {
    await sendOnExpectedTip(
      () => sendReceivePack(client, input.url, update, buildPack(objects), input.userAgent),
      client,
      input.url,
      input.branch,
      expected,
    );
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}
