import {
  changesBetween,
  logCommits,
  readCommit,
  resolveCommit,
  splitRepoPath,
} from '../git/repo-reader.js';
import { bdcErrors } from '../http/bdc-errors.js';
import { changeJson, commitJson } from './content-json.js';
import { paginate, parsePageRequest } from './paging.js';
import type { RestCall } from './rest-api.js';
import { resolveRevision } from './revision.js';
import { API, REPO, route, type Route } from './routing.js';
import { withAvatars } from './avatars.js';

/**
 * Repository history: `commits` (paged, `until`/`since`/`path`/`merges`), `commits/{id}` and
 * `compare/changes` (`from`/`to`), all read from git (docs/bdc-rest-reference.md).
 */
const MAX_LISTED_COMMITS = 100_000;

async function commits(call: RestCall, params: readonly string[]): Promise<void> {
  const target = await resolveRevision(call, params, call.query.get('until'));
  if (!target) return;
  const since = call.query.get('since');
  let sinceId: string | undefined;
  if (since !== null) {
    sinceId = await resolveCommit(target.gitDir, since);
    if (!sinceId) return call.fail(bdcErrors.noSuchCommit(since, target.repo.slug));
  }
  const merges = call.query.get('merges') ?? 'include';
  if (merges !== 'include' && merges !== 'exclude' && merges !== 'only') {
    return call.fail(bdcErrors.validation('merges', `${merges} is not a valid merge filter.`));
  }
  const rawPath = call.query.get('path');
  const path = rawPath === null ? undefined : splitRepoPath(rawPath);
  if (path === undefined && rawPath !== null) {
    return call.fail(bdcErrors.noSuchPath(rawPath, target.revision));
  }
  const found = await logCommits(target.gitDir, {
    include: [target.commit],
    ...(sinceId ? { exclude: [sinceId] } : {}),
    ...(path ? { path } : {}),
    merges,
    maxCount: MAX_LISTED_COMMITS,
  });
  const page = paginate(found.map(commitJson), parsePageRequest(call.query), call.env.paging());
  call.json(200, withAvatars(page, call.query, call.env.baseUrl, call.env.state));
}

async function commit(call: RestCall, params: readonly string[]): Promise<void> {
  const target = await resolveRevision(call, params, null);
  if (!target) return;
  const id = decodeURIComponent(params[2]!);
  const found = await readCommit(target.gitDir, id);
  if (!found) return call.fail(bdcErrors.noSuchCommit(id, target.repo.slug));
  const rawPath = call.query.get('path');
  if (rawPath !== null) {
    // "The details for the first commit affecting the specified path", starting from `id`.
    const path = splitRepoPath(rawPath);
    const [first] = path
      ? await logCommits(target.gitDir, { include: [found.id], path, maxCount: 1 })
      : [];
    if (!first) return call.fail(bdcErrors.noSuchPath(rawPath, found.id));
    return call.json(200, commitJson(first));
  }
  call.json(200, commitJson(found));
}

async function compareChanges(call: RestCall, params: readonly string[]): Promise<void> {
  const target = await resolveRevision(call, params, call.query.get('from'));
  if (!target) return;
  const toName = call.query.get('to') ?? `refs/heads/${target.repo.defaultBranch}`;
  const to = await resolveCommit(target.gitDir, toName);
  if (!to) return call.fail(bdcErrors.noSuchCommit(toName, target.repo.slug));
  const changes = await changesBetween(target.gitDir, target.commit, to);
  const browse = `${call.env.baseUrl}/projects/${target.project.key}/repos/${target.repo.slug}/browse`;
  const values = changes.map((change) =>
    changeJson(change, `${browse}/${change.path}?at=${encodeURIComponent(target.commit)}`),
  );
  call.json(200, paginate(values, parsePageRequest(call.query), call.env.paging()));
}

export const historyRoutes: readonly Route[] = [
  route('GET', `${API}${REPO}/commits`, commits),
  route('GET', `${API}${REPO}/commits/([^/]+)`, commit),
  route('GET', `${API}${REPO}/compare/changes`, compareChanges),
];
