import type { EngineAttemptInput, ProgressSink } from './engine-attempt.js';
import { assertFastForward } from './fast-forward.js';
import { ZERO_OID } from './git-objects.js';
import { buildPack, writeLooseObjects, type GitObject } from './object-writer.js';
import { sendOnExpectedTip } from './expected-tip.js';
import { sendReceivePack, type SmartHttpClient } from './smart-http.js';

export interface BuiltCommit {
  /** The tip the commit was built on: its one parent, and what the branch is expected at. */
  readonly base: string;
  /** The branch does not exist yet (it starts from `createFrom`'s tip). */
  readonly creating: boolean;
  readonly objects: readonly GitObject[];
  readonly commit: string;
}

/**
 * The last step of both engines. The commit's objects (new blobs, rewritten folders, the commit)
 * are sent to receive-pack as one pack of exactly those objects — nothing to walk or negotiate, no
 * `git push` process — and then stored in the cache, so the time between reading the tip and the
 * server's check holds no disk writes. The update names the tip the commit was built on as the
 * ref's old value: receive-pack's compare-and-swap refuses it if the branch moved, so nothing is
 * ever overwritten. Resolves to whether the cache now holds the commit (a failed write after a
 * landed push only costs the next push a fetch; the caller then leaves the tracking ref alone).
 */
export async function sendCommit(
  client: SmartHttpClient,
  input: Pick<
    EngineAttemptInput,
    'gitdir' | 'url' | 'branch' | 'attempt' | 'userAgent' | 'expectedBase'
  >,
  built: BuiltCommit,
  progress: ProgressSink,
): Promise<boolean> {
  const oldOid = built.creating ? ZERO_OID : built.base;
  assertFastForward(oldOid, built.base, [built.base]);
  const packfile = buildPack(built.objects);
  const { attempt } = input;
  progress({ phase: 'push', attempt, done: 0, total: packfile.byteLength });
  // With an expected tip, a refused compare-and-swap is the answer (PUSH_TIP_MOVED with where the
  // branch stands), not a conflict to rebase over (expected-tip.ts).
  await sendOnExpectedTip(
    () =>
      sendReceivePack(
        client,
        input.url,
        { ref: `refs/heads/${input.branch}`, oldOid, newOid: built.commit },
        packfile,
        input.userAgent,
      ),
    client,
    input.url,
    input.branch,
    input.expectedBase,
  );
  progress({ phase: 'push', attempt, done: packfile.byteLength, total: packfile.byteLength });
  return writeLooseObjects(input.gitdir, built.objects).then(
    () => true,
    () => false,
  );
}
