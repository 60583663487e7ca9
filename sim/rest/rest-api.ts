import type { IncomingMessage, ServerResponse } from 'node:http';
import { bdcErrors, type BdcError } from '../http/bdc-errors.js';
import { avatarSize } from './avatars.js';
import { contentRoutes } from './content-routes.js';
import { historyRoutes } from './history-routes.js';
import { API, denied, PROJECT, REPO, resolveRepo, route, type Route } from './routing.js';
import { readBody, sendEmpty, sendError, sendJson } from '../http/respond.js';
import type { Principal, SimProject, SimRepo, SimState } from '../state/sim-state.js';
import {
  isProjectPermission,
  isRepoPermission,
  projectPermissions,
  repoPermissions,
} from '../state/permissions.js';
import { paginate, parsePageRequest, type PagingMode } from './paging.js';
import { buildNumber, minimalRef, projectJson, repoJson, userJson } from './representations.js';

/** What the REST handlers need from the rest of the simulator. */
export interface RestEnvironment {
  readonly state: SimState;
  readonly version: () => string;
  readonly paging: () => PagingMode;
  /** Base URL with the context path, as clients see it. */
  readonly baseUrl: string;
  readonly startedAt: number;
  branchTip(repo: SimRepo, branch: string): Promise<string | undefined>;
  /** Every branch with its tip, by name. */
  branches(repo: SimRepo): Promise<readonly { readonly name: string; readonly tip: string }[]>;
  /** The bare repository on disk (content and history are read from it with git). */
  repositoryPath(repo: SimRepo): string;
  readonly webhooks?: WebhookRoutes;
}

export interface WebhookScope {
  readonly project: SimProject;
  readonly repo?: SimRepo;
}

export interface WebhookRoutes {
  /** `rest` is the path after `/webhooks` (e.g. '', '/12', '/test', '/12/latest'). */
  handle(call: RestCall, scope: WebhookScope, rest: string): Promise<void>;
}

export interface RestCall {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly principal: Principal;
  readonly env: RestEnvironment;
  json(status: number, body: unknown): void;
  fail(error: BdcError): void;
  empty(status: number): void;
  body(): Promise<Buffer>;
}

export function makeCall(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  query: URLSearchParams,
  principal: Principal,
  env: RestEnvironment,
): RestCall {
  return {
    request,
    response,
    method: request.method ?? 'GET',
    path,
    query,
    principal,
    env,
    json: (status, body) => sendJson(response, status, body),
    fail: (error) => sendError(response, error),
    empty: (status) => sendEmpty(response, status),
    body: () => readBody(request, 1024 * 1024),
  };
}

function visibleRepos(call: RestCall, minimum: number): { project: SimProject; repo: SimRepo }[] {
  const { state } = call.env;
  const result: { project: SimProject; repo: SimRepo }[] = [];
  for (const repo of state.repos.values()) {
    const project = state.findProject(repo.projectKey);
    if (project && call.principal.repoLevel(project, repo) >= Math.max(1, minimum)) {
      result.push({ project, repo });
    }
  }
  return result.sort(
    (a, b) => a.project.key.localeCompare(b.project.key) || a.repo.slug.localeCompare(b.repo.slug),
  );
}

const routes: readonly Route[] = [
  ...contentRoutes,
  ...historyRoutes,
  route('GET', `${API}/application-properties`, (call) => {
    const version = call.env.version();
    call.json(200, {
      version,
      buildNumber: buildNumber(version),
      buildDate: String(call.env.startedAt),
      displayName: 'Bitbucket',
    });
  }),

  route('GET', '/rest/capabilities', (call) => {
    call.json(200, {
      application: 'stash',
      buildDate: new Date(call.env.startedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      capabilities: { webhooks: `${call.env.baseUrl}/rest/webhooks/latest/capabilities` },
      links: { self: `${call.env.baseUrl}/rest/capabilities` },
    });
  }),

  route('GET', `${API}/users`, (call) => {
    if (!call.principal.user) return call.fail(bdcErrors.authenticationRequired());
    const filter = call.query.get('filter')?.toLowerCase();
    const users = [...call.env.state.users.values()]
      .filter((user) => !filter || user.name.toLowerCase().includes(filter))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((user) => userJson(user, call.env.baseUrl, avatarSize(call.query)));
    call.json(200, paginate(users, parsePageRequest(call.query), call.env.paging()));
  }),

  route('GET', `${API}/users/([^/]+)`, (call, [slug]) => {
    if (!call.principal.user) return call.fail(bdcErrors.authenticationRequired());
    const user = call.env.state.users.get(decodeURIComponent(slug!));
    if (!user) return call.fail(bdcErrors.noSuchUser(slug!));
    call.json(200, userJson(user, call.env.baseUrl, avatarSize(call.query)));
  }),

  route('GET', `${API}/projects`, (call) => {
    const permission = call.query.get('permission');
    let minimum = 0;
    if (permission !== null) {
      if (!isProjectPermission(permission)) return call.fail(bdcErrors.badPermission(permission));
      minimum = projectPermissions.indexOf(permission);
    }
    const name = call.query.get('name')?.toLowerCase();
    const projects = [...call.env.state.projects.values()]
      .filter((project) => call.principal.projectLevel(project) >= minimum)
      .filter((project) => !name || project.name.toLowerCase().includes(name))
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((project) => projectJson(project, call.env.baseUrl));
    call.json(200, paginate(projects, parsePageRequest(call.query), call.env.paging()));
  }),

  route('GET', `${API}${PROJECT}`, (call, [key]) => {
    const project = call.env.state.findProject(decodeURIComponent(key!));
    if (!project) return call.fail(bdcErrors.noSuchProject(key!));
    if (call.principal.projectLevel(project) < 0) return call.fail(denied(call.principal));
    call.json(200, projectJson(project, call.env.baseUrl));
  }),

  route('GET', `${API}${PROJECT}/repos`, (call, [key]) => {
    const project = call.env.state.findProject(decodeURIComponent(key!));
    if (!project) return call.fail(bdcErrors.noSuchProject(key!));
    if (call.principal.projectLevel(project) < 0) return call.fail(denied(call.principal));
    const repos = call.env.state
      .reposOf(project.key)
      .filter((repo) => call.principal.repoLevel(project, repo) > 0)
      .sort((a, b) => a.slug.localeCompare(b.slug))
      .map((repo) => repoJson(repo, project, call.env.baseUrl));
    call.json(200, paginate(repos, parsePageRequest(call.query), call.env.paging()));
  }),

  route('GET', `${API}/repos`, (call) => {
    const permission = call.query.get('permission');
    let minimum = 1;
    if (permission !== null) {
      if (!isRepoPermission(permission)) return call.fail(bdcErrors.badPermission(permission));
      minimum = repoPermissions.indexOf(permission) + 1;
    }
    const state = call.query.get('state');
    if (state !== null && !['AVAILABLE', 'INITIALISING', 'INITIALISATION_FAILED'].includes(state)) {
      return call.fail(bdcErrors.validation('state', `${state} is not a valid repository state.`));
    }
    // Anonymous callers may list, but never with a permission filter (docs/bdc-api-facts.md §2.4).
    if (!call.principal.user && permission !== null) {
      return call.json(200, paginate([], parsePageRequest(call.query), call.env.paging()));
    }
    const projectKey = call.query.get('projectkey')?.toUpperCase();
    const name = call.query.get('name')?.toLowerCase();
    const repos = visibleRepos(call, minimum)
      .filter(({ project }) => !projectKey || project.key === projectKey)
      .filter(({ repo }) => !name || repo.name.toLowerCase().includes(name))
      .filter(() => state === null || state === 'AVAILABLE')
      .map(({ project, repo }) => repoJson(repo, project, call.env.baseUrl));
    call.json(200, paginate(repos, parsePageRequest(call.query), call.env.paging()));
  }),

  route('GET', `${API}${REPO}`, (call, [key, slug]) => {
    const found = resolveRepo(call, decodeURIComponent(key!), decodeURIComponent(slug!), 1);
    if (found) call.json(200, repoJson(found.repo, found.project, call.env.baseUrl));
  }),

  route('GET', `${API}${REPO}/default-branch`, (call, [key, slug]) => {
    const found = resolveRepo(call, decodeURIComponent(key!), decodeURIComponent(slug!), 1);
    if (found) call.json(200, minimalRef(found.repo.defaultBranch));
  }),

  route('PUT', `${API}${REPO}/default-branch`, async (call, [key, slug]) => {
    const found = resolveRepo(call, decodeURIComponent(key!), decodeURIComponent(slug!), 3);
    if (!found) return;
    let id: unknown;
    try {
      id = (JSON.parse((await call.body()).toString('utf8')) as { id?: unknown }).id;
    } catch {
      return call.fail(bdcErrors.validation(null, 'The request body is not valid JSON.'));
    }
    if (typeof id !== 'string' || id.trim() === '') {
      return call.fail(bdcErrors.validation('id', 'A branch id is required.'));
    }
    found.repo.defaultBranch = id.replace(/^refs\/heads\//, '');
    call.empty(204);
  }),

  route('GET', `${API}${REPO}/branches/default`, async (call, [key, slug]) => {
    const found = resolveRepo(call, decodeURIComponent(key!), decodeURIComponent(slug!), 1);
    if (!found) return;
    const tip = await call.env.branchTip(found.repo, found.repo.defaultBranch);
    if (!tip) {
      const any = await call.env.branchTip(found.repo, '*');
      // Deprecated endpoint: 204 for an empty repository, 404 if only the default is missing.
      if (!any) return call.empty(204);
      return call.fail({
        status: 404,
        body: {
          errors: [
            {
              context: null,
              message: `The default branch of ${found.repo.slug} does not exist.`,
              exceptionName: 'com.atlassian.bitbucket.repository.NoDefaultBranchException',
            },
          ],
        },
      });
    }
    call.json(200, {
      ...minimalRef(found.repo.defaultBranch),
      latestCommit: tip,
      latestChangeset: tip,
      isDefault: true,
    });
  }),

  route('GET', `${API}${REPO}/branches`, async (call, [key, slug]) => {
    const found = resolveRepo(call, decodeURIComponent(key!), decodeURIComponent(slug!), 1);
    if (!found) return;
    const filter = call.query.get('filterText')?.toLowerCase();
    const values = (await call.env.branches(found.repo))
      .filter((branch) => !filter || branch.name.toLowerCase().includes(filter))
      .map((branch) => ({
        ...minimalRef(branch.name),
        latestCommit: branch.tip,
        latestChangeset: branch.tip,
        isDefault: branch.name === found.repo.defaultBranch,
      }))
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
    call.json(200, paginate(values, parsePageRequest(call.query), call.env.paging()));
  }),
];

const webhookRepoPath = new RegExp(`^${API}${REPO}/webhooks(/.*)?$`);
const webhookProjectPath = new RegExp(`^${API}${PROJECT}/webhooks(/.*)?$`);

/** Answers a `/rest/...` request; false when no route matches (the caller answers 404). */
export async function handleRest(call: RestCall): Promise<boolean> {
  const repoHook = webhookRepoPath.exec(call.path);
  const projectHook = repoHook ? null : webhookProjectPath.exec(call.path);
  if ((repoHook || projectHook) && call.env.webhooks) {
    const match = (repoHook ?? projectHook)!;
    const key = decodeURIComponent(match[1]!);
    if (repoHook) {
      const found = resolveRepo(call, key, decodeURIComponent(match[2]!), 3);
      if (!found) return true;
      await call.env.webhooks.handle(call, found, match[3] ?? '');
    } else {
      const project = call.env.state.findProject(key);
      if (!project) {
        call.fail(bdcErrors.noSuchProject(key));
        return true;
      }
      if (call.principal.projectLevel(project) < 3) {
        call.fail(denied(call.principal));
        return true;
      }
      await call.env.webhooks.handle(call, { project }, match[2] ?? '');
    }
    return true;
  }
  let pathMatched = false;
  for (const candidate of routes) {
    const match = candidate.pattern.exec(call.path);
    if (!match) continue;
    pathMatched = true;
    if (
      candidate.method !== call.method &&
      !(candidate.method === 'GET' && call.method === 'HEAD')
    ) {
      continue;
    }
    await candidate.handler(call, match.slice(1));
    return true;
  }
  if (pathMatched) {
    call.fail(bdcErrors.methodNotAllowed());
    return true;
  }
  return false;
}
