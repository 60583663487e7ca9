import { CompanionError } from '../../common/errors/companion-error.js';
import type { PushChangeKind } from '../../common/models/push.js';
import { CatFileBatch } from './cat-file-batch.js';
import { planChanges } from './change-plan.js';
import { commitObjects } from './commit-objects.js';
import { buildChangeSet } from './change-set.js';
import {
  type EngineAttemptInput,
  type EngineAttemptResult,
  type ProgressSink,
} from './engine-attempt.js';
import { initBareRepository } from './git-init.js';
import { discoverExpectedBranch, tipMoved } from './expected-tip.js';
import { prepareGitEnvironments } from './git-attempt-environments.js';
import { fetchBranch } from './git-fetch.js';
import { fetchKnownTip } from './fetch-known-tip.js';
import { gitPackSink } from './git-store-pack.js';
import { failure } from './push-failure.js';
import { sendCommit } from './send-commit.js';
import { smartHttpDispatcher } from './smart-http-dispatchers.js';
import { updateTrackingRef } from './tracking-ref.js';

/**
 * The git CLI engine, for repositories above the size threshold: git clones and fetches into a
 * bare cache (C code indexing large packs, a fraction of isomorphic-git's memory) and reads the
 * folders a change touches; the companion builds the commit's objects and sends them to
 * receive-pack itself, as the isomorphic-git engine does (`send-commit.ts`). A moved branch's tip
 * comes in one upload-pack request stored by `git unpack-objects`/`index-pack`
 * (`fetch-known-tip.ts`); `git fetch` runs only for a cold entry or one without a tracking ref. No
 * `git push`: it would discover the refs again, start its own helper and TLS session, and walk the
 * history to find objects the companion already knows. Never a force: the update carries the tip
 * the commit was built on, and receive-pack's compare-and-swap refuses a ref that moved.
 */
export async function runCliAttempt(
  input: EngineAttemptInput,
  progress: ProgressSink,
): Promise<EngineAttemptResult> {
  const { gitdir, branch, attempt } = input;
  const leased = smartHttpDispatcher(input.network);
  const client = {
    dispatcher: leased.dispatcher,
    headers: { authorization: input.authorization, 'user-agent': input.userAgent },
  };
  try {
    // After a lost race the branch exists and the credential may write: when the refusal said
    // where the branch stands, that tip is built on without asking again (a round trip less in
    // which to lose again). Otherwise discovery says where it stands — over the companion's own
    // HTTP stack, no git process, the credential's write access checked before anything is
    // fetched — while the git environments are prepared. When the cache already holds that tip
    // (the usual case after our own last push) nothing is fetched.
    const expected = input.expectedBase;
    const known =
      input.afterConflict === true &&
      !input.cold &&
      input.createFrom === undefined &&
      expected === undefined
        ? input.knownTip
        : undefined;
    progress({ phase: 'fetch', attempt, ...(known === undefined ? { detail: 'discover' } : {}) });
    const [environments, discovered] = await Promise.all([
      prepareGitEnvironments(input),
      known !== undefined
        ? Promise.resolve({ sourceBranch: branch, tip: known })
        : input.discovered !== undefined
          ? Promise.resolve(input.discovered)
          : discoverExpectedBranch(client, input.url, branch, input.createFrom, expected),
    ]);
    const { localEnv, remoteEnv } = environments;
    if (input.cold) await initBareRepository(gitdir, { cwd: input.scratchDir, env: localEnv });
    const { sourceBranch } = discovered;
    const creating = sourceBranch !== branch;
    const { root } = buildChangeSet(input.changes);
    // One reader for the whole attempt: after a miss, git looks for packs again, so objects
    // fetched below are found without a second `cat-file` process.
    const reader = new CatFileBatch(gitdir, localEnv);
    let base = discovered.tip;
    let plan;
    try {
      let commitBody = input.cold ? undefined : await reader.read(base);
      if (commitBody === undefined && !input.cold) {
        // The branch moved and its tip is known: one upload-pack request brings it.
        progress({ phase: 'fetch', attempt });
        const sink = () => gitPackSink(gitdir, { cwd: input.scratchDir, env: localEnv });
        if (await fetchKnownTip(client, input, base, { sink, thin: true, deepen: true })) {
          await updateTrackingRef(gitdir, base);
          commitBody = await reader.read(base);
        }
      }
      if (commitBody === undefined) {
        // A cold entry (or one without a tracking ref to offer): git fetches the tip.
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
        await updateTrackingRef(gitdir, base);
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

    progress({ phase: 'build', attempt, done: 0, total: plan.files.length });
    const { objects, commit } = commitObjects(plan, base, input);
    progress({ phase: 'build', attempt, done: plan.files.length, total: plan.files.length });
    if (await sendCommit(client, input, { base, creating, objects, commit }, progress)) {
      await updateTrackingRef(gitdir, commit);
    }
    return {
      kind: 'committed',
      commit,
      parent: base,
      paths: plan.files.map((file) => ({ path: file.path, kind: file.action as PushChangeKind })),
    };
  } finally {
    await leased.release();
  }
}
