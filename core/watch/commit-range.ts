import type { BdcClient, BdcPage } from '../bdc/bdc-client.js';
import type { RefChange } from './ref-changes.js';
import { MAX_PAYLOAD_COMMITS, type RestCommit } from './refs-changed-body.js';

/** At most this many parents of the pushed commit are looked up (an octopus merge has more). */
const MAX_EXPANDED_PARENTS = 8;

export interface CommitRange {
  readonly toCommit: RestCommit | undefined;
  readonly toCommitParents: readonly RestCommit[];
  readonly commits: readonly RestCommit[];
}

function repoPath(repository: string): string {
  const [project, slug] = repository.split('/') as [string, string];
  return `/rest/api/1.0/projects/${encodeURIComponent(project)}/repos/${encodeURIComponent(slug)}`;
}

/**
 * The commit data of one change through BDC's REST (docs/watch-mode.md): the range with
 * `GET …/commits?since=FROM&until=TO&limit=5` (newest first, `since` exclusive; for a new ref
 * `since` is the default branch, so a branch or tag made at an existing commit brings none, and
 * the first branch of an empty repository brings its history), the pushed commit
 * from that page or `GET …/commits/{id}` (a ref moved backwards has an empty range), and its
 * parents' details as BDC expands them. A DELETE has no commits. Typically two requests.
 */
export async function fetchCommitRange(
  client: BdcClient,
  repository: string,
  change: RefChange,
  options: {
    /** For a new ref: the default branch's commit, whose history the new ref did not bring. */
    readonly excludeForNewRef?: string | undefined;
    readonly signal?: AbortSignal;
  } = {},
): Promise<CommitRange> {
  const { signal } = options;
  const target = change.toCommit;
  if (change.type === 'DELETE' || target === undefined) {
    return { toCommit: undefined, toCommitParents: [], commits: [] };
  }
  const base = repoPath(repository);
  const page = await client.getJson<BdcPage<RestCommit>>(
    `${base}/commits`,
    {
      until: target,
      limit: MAX_PAYLOAD_COMMITS,
      ...(change.type !== 'ADD'
        ? { since: change.fromHash }
        : options.excludeForNewRef === undefined
          ? {}
          : { since: options.excludeForNewRef }),
    },
    signal,
  );
  const commits = Array.isArray(page?.values) ? page.values.slice(0, MAX_PAYLOAD_COMMITS) : [];
  const known = new Map(commits.map((commit) => [commit.id, commit]));
  const toCommit =
    known.get(target) ??
    (await client.getJson<RestCommit>(`${base}/commits/${encodeURIComponent(target)}`, {}, signal));
  const toCommitParents: RestCommit[] = [];
  for (const parent of (toCommit.parents ?? []).slice(0, MAX_EXPANDED_PARENTS)) {
    toCommitParents.push(
      known.get(parent.id) ??
        (await client.getJson<RestCommit>(
          `${base}/commits/${encodeURIComponent(parent.id)}`,
          {},
          signal,
        )),
    );
  }
  return { toCommit, toCommitParents, commits };
}
