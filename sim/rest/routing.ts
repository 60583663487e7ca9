import { bdcErrors, type BdcError } from '../http/bdc-errors.js';
import type { Principal, SimProject, SimRepo } from '../state/sim-state.js';
import type { RestCall } from './rest-api.js';

/** 401 with the right exception: nobody signed in vs. signed in without the permission. */
export function denied(principal: Principal): BdcError {
  return principal.user ? bdcErrors.authorisation() : bdcErrors.authenticationRequired();
}

export type Handler = (call: RestCall, params: readonly string[]) => Promise<void> | void;
export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
}

export const API = '/rest/api/(?:1\\.0|latest)';
export const PROJECT = '/projects/([^/]+)';
export const REPO = `${PROJECT}/repos/([^/]+)`;

export function route(method: string, path: string, handler: Handler): Route {
  return { method, pattern: new RegExp(`^${path}$`), handler };
}

/** Resolves project + repository with BDC's precedence: 404 project, 404 repo, 401 access. */
export function resolveRepo(
  call: RestCall,
  projectKey: string,
  slug: string,
  level: number,
): { project: SimProject; repo: SimRepo } | undefined {
  const { state } = call.env;
  const project = state.findProject(projectKey);
  if (!project) {
    call.fail(bdcErrors.noSuchProject(projectKey));
    return undefined;
  }
  const repo = state.findRepo(project.key, slug);
  if (!repo) {
    call.fail(bdcErrors.noSuchRepository(project.key, slug));
    return undefined;
  }
  if (call.principal.repoLevel(project, repo) < level) {
    call.fail(denied(call.principal));
    return undefined;
  }
  return { project, repo };
}
