import { splitRepoPath, resolveCommit } from '../git/repo-reader.js';
import { bdcErrors } from '../http/bdc-errors.js';
import type { SimProject, SimRepo } from '../state/sim-state.js';
import type { RestCall } from './rest-api.js';
import { resolveRepo } from './routing.js';

/** What a content or history request reads: the repository on disk and the commit it names. */
export interface RevisionTarget {
  readonly project: SimProject;
  readonly repo: SimRepo;
  readonly gitDir: string;
  readonly commit: string;
  /** The revision as the client named it (`at`), or the default branch's qualified ref. */
  readonly revision: string;
}

/**
 * REPO_READ on the repository, then `at` (or the default branch) resolved to a commit; answers
 * 404/401 itself and returns undefined when the request cannot go on.
 */
export async function resolveRevision(
  call: RestCall,
  params: readonly string[],
  at: string | null,
): Promise<RevisionTarget | undefined> {
  const found = resolveRepo(
    call,
    decodeURIComponent(params[0]!),
    decodeURIComponent(params[1]!),
    1,
  );
  if (!found) return undefined;
  const gitDir = call.env.repositoryPath(found.repo);
  const revision = at ?? `refs/heads/${found.repo.defaultBranch}`;
  const commit = await resolveCommit(gitDir, revision);
  if (!commit) {
    call.fail(bdcErrors.noSuchCommit(revision, found.repo.slug));
    return undefined;
  }
  return { ...found, gitDir, commit, revision };
}

/** The path segments of `…/{path}` decoded one by one; undefined (and 404 sent) when unusable. */
export function requestPath(
  call: RestCall,
  raw: string | undefined,
  revision: string,
): string[] | undefined {
  let decoded: string[] | undefined;
  try {
    decoded = splitRepoPath(
      (raw ?? '')
        .split('/')
        .map((segment) => decodeURIComponent(segment))
        .join('/'),
    );
  } catch {
    decoded = undefined;
  }
  if (!decoded) call.fail(bdcErrors.noSuchPath(raw ?? '', revision));
  return decoded;
}

/** BDC's boolean query flags: `size`/`type` need an explicit `true`. */
export function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name) === 'true';
}
