import {
  logCommits,
  readCommit,
  readCommits,
  resolveCommit,
  type CommitInfo,
} from '../git/repo-reader.js';
import { commitJson } from '../rest/content-json.js';
import { ZERO_ID, type RefChange } from './payloads.js';

/**
 * `toCommit` and `commits[]` of `repo:refs_changed` (docs/bdc-rest-reference.md): the commits the
 * push brought, newest first, at most five ("only the most recent"), and the commit the first
 * created or updated ref now points at, with its parents in full.
 *
 * What a push brought: for an update `old..new`; for a new branch or tag whatever its tip reaches
 * that no ref outside this push reaches; for a deletion nothing.
 */
export const PAYLOAD_COMMIT_LIMIT = 5;

export interface PushCommits {
  readonly toCommit: Record<string, unknown> | undefined;
  readonly commits: readonly Record<string, unknown>[];
}

export async function pushCommits(
  gitDir: string,
  changes: readonly RefChange[],
): Promise<PushCommits> {
  const pushedRefs = changes.map((change) => change.ref);
  const seen = new Set<string>();
  const commits: CommitInfo[] = [];
  let tip: string | undefined;
  for (const change of changes) {
    if (change.newId === ZERO_ID) continue;
    // A branch points at a commit already; only a tag may need peeling (annotated tags).
    const peeled = change.ref.startsWith('refs/heads/')
      ? change.newId
      : await resolveCommit(gitDir, change.newId);
    if (!peeled) continue;
    tip ??= peeled;
    const brought = await logCommits(gitDir, {
      include: [peeled],
      ...(change.oldId === ZERO_ID
        ? { excludeAllRefsBut: pushedRefs }
        : { exclude: [change.oldId] }),
      maxCount: PAYLOAD_COMMIT_LIMIT,
    });
    for (const commit of brought) {
      if (seen.has(commit.id)) continue;
      seen.add(commit.id);
      commits.push(commit);
    }
  }
  return {
    toCommit: tip === undefined ? undefined : await fullCommit(gitDir, tip),
    commits: commits
      .sort((a, b) => b.committerTime - a.committerTime)
      .slice(0, PAYLOAD_COMMIT_LIMIT)
      .map(commitJson),
  };
}

/** A commit whose `parents` are commits too (as BDC 10 sends `toCommit`). */
async function fullCommit(gitDir: string, id: string): Promise<Record<string, unknown>> {
  const commit = await readCommit(gitDir, id);
  if (!commit) throw new Error(`commit ${id} vanished`);
  const parents = await readCommits(gitDir, commit.parents);
  return { ...commitJson(commit), parents: parents.map(commitJson) };
}
