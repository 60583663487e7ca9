import type { ProjectPermission, RepoPermission } from '../simulator-api.js';

/**
 * BDC's permission ladder. Project permissions imply the matching repository permission on every
 * repository of the project (PROJECT_WRITE ⇒ REPO_WRITE), as in BDC.
 */
export type AnyPermission = ProjectPermission | RepoPermission | 'PROJECT_VIEW';

const repoRank: Readonly<Record<RepoPermission, number>> = {
  REPO_READ: 1,
  REPO_WRITE: 2,
  REPO_ADMIN: 3,
};
const projectRank: Readonly<Record<ProjectPermission | 'PROJECT_VIEW', number>> = {
  PROJECT_VIEW: 0,
  PROJECT_READ: 1,
  PROJECT_WRITE: 2,
  PROJECT_ADMIN: 3,
};

export const repoPermissions: readonly RepoPermission[] = ['REPO_READ', 'REPO_WRITE', 'REPO_ADMIN'];
export const projectPermissions: readonly (ProjectPermission | 'PROJECT_VIEW')[] = [
  'PROJECT_VIEW',
  'PROJECT_READ',
  'PROJECT_WRITE',
  'PROJECT_ADMIN',
];

export function isRepoPermission(value: string): value is RepoPermission {
  return value in repoRank;
}

export function isProjectPermission(value: string): value is ProjectPermission | 'PROJECT_VIEW' {
  return value in projectRank;
}

/** Level 0 = none, 1 = read, 2 = write, 3 = admin: one scale for both ladders. */
export function repoLevel(permission: RepoPermission | undefined): number {
  return permission === undefined ? 0 : repoRank[permission];
}

export function projectLevel(permission: ProjectPermission | undefined): number {
  return permission === undefined ? 0 : projectRank[permission];
}

export function repoPermissionAt(level: number): RepoPermission | undefined {
  return repoPermissions[level - 1];
}
