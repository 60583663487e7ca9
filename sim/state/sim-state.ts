import { randomBytes } from 'node:crypto';
import type { ProjectPermission, RepoPermission, SimToken, SimUser } from '../simulator-api.js';
import { projectLevel, repoLevel } from './permissions.js';

export interface SimProject {
  readonly key: string;
  readonly id: number;
  name: string;
  description: string;
  public: boolean;
}

export interface SimRepo {
  readonly projectKey: string;
  readonly slug: string;
  readonly id: number;
  readonly name: string;
  readonly hierarchyId: string;
  /** Empty = BDC leaves `description` out of the JSON. */
  description: string;
  defaultBranch: string;
  readonly prOnlyBranches: Set<string>;
}

export type TokenKind = 'user' | 'project' | 'repository';

export interface StoredToken extends SimToken {
  readonly kind: TokenKind;
  readonly project?: string;
  readonly repo?: string;
}

/**
 * Who a request acts as, and what it may do. `repoLevel`/`projectLevel` use one scale:
 * 0 none, 1 read, 2 write, 3 admin (projectLevel -1 = cannot even see the project).
 */
export interface Principal {
  readonly user: SimUser | undefined;
  readonly via: 'anonymous' | 'pat' | 'oauth';
  readonly tokenKind?: TokenKind;
  repoLevel(project: SimProject, repo: SimRepo): number;
  projectLevel(project: SimProject): number;
}

/** Users, tokens, projects and repositories: the simulator's in-memory BDC. */
export class SimState {
  private nextUserId = 1;
  private nextProjectId = 1;
  private nextRepoId = 1;
  readonly users = new Map<string, SimUser>();
  readonly tokens = new Map<string, StoredToken>();
  readonly projects = new Map<string, SimProject>();
  /** Keyed by `PROJECT/slug` with the project key upper-cased. */
  readonly repos = new Map<string, SimRepo>();

  addUser(partial: Partial<SimUser> & { readonly name: string }): SimUser {
    const existing = this.users.get(partial.name);
    if (existing) return existing;
    const user: SimUser = {
      name: partial.name,
      id: partial.id ?? this.nextUserId++,
      displayName: partial.displayName ?? partial.name,
      emailAddress: partial.emailAddress ?? `${partial.name}@example.com`,
    };
    this.nextUserId = Math.max(this.nextUserId, user.id + 1);
    this.users.set(user.name, user);
    return user;
  }

  addToken(
    spec: Omit<SimToken, 'token'> & {
      readonly token?: string;
      readonly project?: string;
      readonly repo?: string;
    },
  ): string {
    if (!this.users.has(spec.user)) this.addUser({ name: spec.user });
    const token = spec.token ?? newPat();
    const kind: TokenKind =
      spec.repo !== undefined ? 'repository' : spec.project !== undefined ? 'project' : 'user';
    this.tokens.set(token, {
      user: spec.user,
      token,
      kind,
      ...(spec.projectPermission ? { projectPermission: spec.projectPermission } : {}),
      ...(spec.repoPermission ? { repoPermission: spec.repoPermission } : {}),
      ...(spec.project !== undefined ? { project: spec.project.toUpperCase() } : {}),
      ...(spec.repo !== undefined ? { repo: spec.repo } : {}),
      ...(spec.expiresAt !== undefined ? { expiresAt: spec.expiresAt } : {}),
    });
    return token;
  }

  /** A live token: known, not revoked, not expired at `now`. */
  liveToken(value: string, now: number): StoredToken | undefined {
    const token = this.tokens.get(value);
    if (!token || (token.expiresAt !== undefined && now >= token.expiresAt)) return undefined;
    return token;
  }

  addProject(
    key: string,
    name?: string,
    options: { readonly public?: boolean; readonly description?: string } = {},
  ): SimProject {
    const upper = key.toUpperCase();
    const existing = this.projects.get(upper);
    if (existing) return existing;
    const project: SimProject = {
      key: upper,
      id: this.nextProjectId++,
      name: name ?? key.toLowerCase(),
      description: options.description ?? '',
      public: options.public ?? false,
    };
    this.projects.set(upper, project);
    return project;
  }

  addRepo(projectKey: string, slug: string, defaultBranch = 'main'): SimRepo {
    const project = this.addProject(projectKey);
    const key = repoKey(project.key, slug);
    const existing = this.repos.get(key);
    if (existing) return existing;
    const repo: SimRepo = {
      projectKey: project.key,
      slug,
      id: this.nextRepoId++,
      name: slug,
      hierarchyId: randomBytes(10).toString('hex'),
      description: '',
      defaultBranch,
      prOnlyBranches: new Set(),
    };
    this.repos.set(key, repo);
    return repo;
  }

  findProject(key: string): SimProject | undefined {
    return this.projects.get(key.toUpperCase());
  }

  findRepo(projectKey: string, slug: string): SimRepo | undefined {
    return this.repos.get(repoKey(projectKey, slug));
  }

  reposOf(projectKey: string): SimRepo[] {
    const upper = projectKey.toUpperCase();
    return [...this.repos.values()].filter((repo) => repo.projectKey === upper);
  }

  anonymous(): Principal {
    return {
      user: undefined,
      via: 'anonymous',
      repoLevel: (project) => (project.public ? 1 : 0),
      projectLevel: (project) => (project.public ? 1 : -1),
    };
  }

  /** The principal a PAT acts as: its permissions, limited to its project or repository. */
  tokenPrincipal(token: StoredToken): Principal {
    const user = this.users.get(token.user);
    const projectGrant = projectLevel(token.projectPermission);
    const repoGrant = repoLevel(token.repoPermission);
    const inScope = (project: SimProject, repo?: SimRepo): boolean =>
      (token.project === undefined || token.project === project.key) &&
      (token.repo === undefined || repo === undefined || token.repo === repo.slug);
    const repoLevelOf = (project: SimProject, repo: SimRepo): number =>
      inScope(project, repo)
        ? Math.max(projectGrant, repoGrant, project.public ? 1 : 0)
        : project.public
          ? 1
          : 0;
    return {
      user,
      via: 'pat',
      tokenKind: token.kind,
      repoLevel: repoLevelOf,
      projectLevel: (project) => {
        if (inScope(project) && token.kind !== 'repository' && projectGrant > 0)
          return projectGrant;
        if (project.public) return 1;
        // PROJECT_VIEW: visible because some repository in it is.
        return this.reposOf(project.key).some((repo) => repoLevelOf(project, repo) > 0) ? 0 : -1;
      },
    };
  }

  /** OAuth scopes map onto the same ladder; the app never exceeds the user (all-powerful here). */
  oauthPrincipal(userName: string, scopes: readonly string[]): Principal | undefined {
    const user = this.users.get(userName);
    if (!user) return undefined;
    const has = (scope: string): boolean => scopes.includes(scope);
    const level =
      has('PROJECT_ADMIN') || has('REPO_ADMIN')
        ? 3
        : has('REPO_WRITE')
          ? 2
          : has('REPO_READ')
            ? 1
            : 0;
    // Repositories: Read "views projects and repositories your account can view", Write "updates
    // projects and repositories your account can change" (docs/bdc-api-facts.md §3.6): the
    // repository scopes reach the matching project permission, up to write; admin of a project
    // needs PROJECT_ADMIN. (They used to stop at PROJECT_VIEW, so a project list filtered by
    // PROJECT_READ came back empty for every OAuth sign-in.)
    const projectGrant = has('PROJECT_ADMIN') ? 3 : Math.min(level, 2);
    return {
      user,
      via: 'oauth',
      repoLevel: (project) => Math.max(level, project.public ? 1 : 0),
      projectLevel: (project) => (projectGrant > 0 ? projectGrant : project.public ? 1 : -1),
    };
  }
}

export function repoKey(projectKey: string, slug: string): string {
  return `${projectKey.toUpperCase()}/${slug}`;
}

/**
 * A PAT shaped like BDC's: `BBDC-` + 44 base64 characters. Real tokens may contain `/` and `+`;
 * the first one is forced to contain both so every client proves it encodes them.
 */
export function newPat(): string {
  return `BBDC-${randomBytes(33).toString('base64')}`;
}

export function patWithSlashAndPlus(): string {
  const body = randomBytes(33).toString('base64').slice(4);
  return `BBDC-M/+a${body}`;
}

export type { ProjectPermission, RepoPermission };
