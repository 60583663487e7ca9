import type { SimUser } from '../simulator-api.js';
import type { SimProject, SimRepo } from '../state/sim-state.js';
import { userAvatarUrl } from './avatars.js';

/** BDC's JSON shapes (docs/bdc-api-facts.md §2.3, §2.4, §4.3), in BDC's key order. */
export function userJson(
  user: SimUser,
  baseUrl: string,
  avatarSize?: number,
): Record<string, unknown> {
  return {
    name: user.name,
    emailAddress: user.emailAddress,
    active: true,
    displayName: user.displayName,
    id: user.id,
    slug: user.name,
    type: 'NORMAL',
    ...(avatarSize !== undefined ? { avatarUrl: userAvatarUrl(baseUrl, user, avatarSize) } : {}),
    links: { self: [{ href: `${baseUrl}/users/${encodeURIComponent(user.name)}` }] },
  };
}

export function projectJson(project: SimProject, baseUrl: string): Record<string, unknown> {
  return {
    key: project.key,
    id: project.id,
    name: project.name,
    ...(project.description ? { description: project.description } : {}),
    public: project.public,
    type: 'NORMAL',
    links: { self: [{ href: `${baseUrl}/projects/${project.key}` }] },
  };
}

export function cloneUrl(baseUrl: string, repo: SimRepo): string {
  return `${baseUrl}/scm/${repo.projectKey.toLowerCase()}/${repo.slug}.git`;
}

export function repoJson(
  repo: SimRepo,
  project: SimProject,
  baseUrl: string,
): Record<string, unknown> {
  const host = new URL(baseUrl).hostname;
  return {
    slug: repo.slug,
    id: repo.id,
    name: repo.name,
    ...(repo.description ? { description: repo.description } : {}),
    hierarchyId: repo.hierarchyId,
    scmId: 'git',
    state: 'AVAILABLE',
    statusMessage: 'Available',
    forkable: true,
    project: projectJson(project, baseUrl),
    public: project.public,
    archived: false,
    links: {
      clone: [
        { href: cloneUrl(baseUrl, repo), name: 'http' },
        {
          href: `ssh://git@${host}:7999/${repo.projectKey.toLowerCase()}/${repo.slug}.git`,
          name: 'ssh',
        },
      ],
      self: [{ href: `${baseUrl}/projects/${project.key}/repos/${repo.slug}/browse` }],
    },
  };
}

export function minimalRef(branch: string): Record<string, unknown> {
  return { id: `refs/heads/${branch}`, displayId: branch, type: 'BRANCH' };
}

/** `MmmmPPP`: 9.4.22 → 9004022 (docs/bdc-api-facts.md §1.1). */
export function buildNumber(version: string): string {
  const [major = 0, minor = 0, patch = 0] = version
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
  return String(major * 1_000_000 + minor * 1_000 + patch);
}
