import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  simRequest,
  startTestSimulator,
  trustingAgent,
  type RunningSimulator,
} from '../../helpers/sim.js';

let sim: RunningSimulator;

const AUTH_REQUIRED = {
  errors: [
    {
      context: null,
      message: 'You are not permitted to access this resource',
      exceptionName:
        'com.atlassian.plugins.rest.api.security.exception.AuthenticationRequiredException',
    },
  ],
};
const AUTHORISATION = {
  errors: [
    {
      context: null,
      message: 'You are not permitted to access this resource',
      exceptionName: 'com.atlassian.bitbucket.AuthorisationException',
    },
  ],
};
const INCORRECT_PASSWORD = {
  errors: [
    {
      context: null,
      message: 'Authentication failed. Please check your credentials and try again.',
      exceptionName: 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
    },
  ],
};

beforeAll(async () => {
  sim = await startTestSimulator({ version: '10.1.2', platform: false });
});
afterAll(() => sim.close());

describe('anonymous endpoints (§9.1)', () => {
  it('serves /status RUNNING with X-AREQUESTID, and 503 while STARTING', async () => {
    const running = await simRequest(sim, '/status');
    expect(running.status).toBe(200);
    expect(running.json()).toEqual({ state: 'RUNNING' });
    expect(running.headers['x-arequestid']).toMatch(/^@[0-9A-F]+x\d+x\d+x\d+$/);
    sim.setStatus('STARTING');
    const starting = await simRequest(sim, '/status');
    expect(starting.status).toBe(503);
    expect(starting.json()).toEqual({ state: 'STARTING' });
    sim.setStatus('RUNNING');
  });

  it('serves application-properties with all four fields as strings and no user headers', async () => {
    const response = await simRequest(sim, '/rest/api/1.0/application-properties');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json;charset=UTF-8');
    const body = response.json();
    expect(Object.keys(body)).toEqual(['version', 'buildNumber', 'buildDate', 'displayName']);
    expect(body).toMatchObject({
      version: '10.1.2',
      buildNumber: '10001002',
      displayName: 'Bitbucket',
    });
    expect(typeof body['buildDate']).toBe('string');
    expect(body['buildDate']).toMatch(/^\d{13}$/);
    expect(response.headers['x-arequestid']).toBeTruthy();
    expect(response.headers['x-ausername']).toBeUndefined();
  });

  it('reports the version it was told to (8.x, 9.x, 10.x)', async () => {
    for (const version of ['8.19.5', '9.4.22']) {
      sim.setVersion(version);
      const body = (await simRequest(sim, '/rest/api/latest/application-properties')).json();
      expect(body['version']).toBe(version);
    }
    expect(
      (await simRequest(sim, '/rest/api/1.0/application-properties')).json()['buildNumber'],
    ).toBe('9004022');
    sim.setVersion('10.1.2');
  });

  it('puts X-AREQUESTID on every response, errors included', async () => {
    for (const path of ['/rest/api/1.0/nope', '/rest/api/1.0/users', '/elsewhere']) {
      expect((await simRequest(sim, path)).headers['x-arequestid']).toBeTruthy();
    }
  });
});

describe('authentication (§9.2)', () => {
  it('accepts a Bearer PAT containing "/" and "+" and names the user in X-AUSERNAME/X-AUSERID', async () => {
    expect(sim.pat).toMatch(/^BBDC-.*\/.*$/);
    expect(sim.pat).toContain('+');
    const response = await simRequest(sim, '/rest/api/1.0/application-properties', {
      bearer: sim.pat,
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-ausername']).toBe(sim.user.name);
    expect(response.headers['x-auserid']).toBe(String(sim.user.id));
  });

  it('accepts Basic user:token for user tokens only', async () => {
    const user = await simRequest(sim, '/rest/api/1.0/users?limit=1', {
      basic: [sim.user.name, sim.pat],
    });
    expect(user.status).toBe(200);
    expect(user.headers['x-ausername']).toBe(sim.user.name);

    const projectToken = sim.addToken({
      user: 'svc',
      project: sim.project,
      projectPermission: 'PROJECT_READ',
    });
    const basic = await simRequest(sim, '/rest/api/1.0/users?limit=1', {
      basic: ['svc', projectToken],
    });
    expect(basic.status).toBe(401);
    expect(basic.json()).toEqual(INCORRECT_PASSWORD);
    const bearer = await simRequest(sim, '/rest/api/1.0/users?limit=1', { bearer: projectToken });
    expect(bearer.status).toBe(200);
  });

  it('answers a wrong Basic password with 401 IncorrectPasswordAuthenticationException', async () => {
    const response = await simRequest(sim, '/rest/api/1.0/application-properties', {
      basic: [sim.user.name, 'not-the-token'],
    });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual(INCORRECT_PASSWORD);
  });

  it('serves an unknown Bearer token as anonymous', async () => {
    const open = await simRequest(sim, '/rest/api/1.0/application-properties', {
      bearer: 'BBDC-revokedrevokedrevokedrevokedrevokedrevoked',
    });
    expect(open.status).toBe(200);
    expect(open.headers['x-ausername']).toBeUndefined();
    const closed = await simRequest(sim, '/rest/api/1.0/users?limit=1', {
      bearer: 'BBDC-revokedrevokedrevokedrevokedrevokedrevoked',
    });
    expect(closed.status).toBe(401);
    expect(closed.json()).toEqual(AUTH_REQUIRED);
  });

  it('treats revoked and expired PATs like unknown ones (anonymous)', async () => {
    const revoked = sim.addToken({ user: 'gone', repoPermission: 'REPO_READ' });
    expect((await simRequest(sim, '/rest/api/1.0/users?limit=1', { bearer: revoked })).status).toBe(
      200,
    );
    sim.revokeToken(revoked);
    const after = await simRequest(sim, '/rest/api/1.0/users?limit=1', { bearer: revoked });
    expect(after.status).toBe(401);
    expect(after.json()).toEqual(AUTH_REQUIRED);
    const expired = sim.addToken({
      user: 'old',
      repoPermission: 'REPO_READ',
      expiresAt: Date.now() - 1,
    });
    const props = await simRequest(sim, '/rest/api/1.0/application-properties', {
      bearer: expired,
    });
    expect(props.status).toBe(200);
    expect(props.headers['x-ausername']).toBeUndefined();
  });

  it('answers protected endpoints without a credential with 401 AuthenticationRequiredException', async () => {
    const response = await simRequest(sim, '/rest/api/1.0/users?limit=1');
    expect(response.status).toBe(401);
    expect(response.json()).toEqual(AUTH_REQUIRED);
  });

  it('refuses PATs off /rest and /scm: Bearer → 302 to the login page, Basic → 401', async () => {
    const bearer = await simRequest(sim, '/plugins/servlet/applinks/whoami', { bearer: sim.pat });
    expect(bearer.status).toBe(302);
    expect(bearer.headers['location']).toMatch(/\/login\?next=/);
    const basic = await simRequest(sim, '/plugins/servlet/applinks/whoami', {
      basic: [sim.user.name, sim.pat],
    });
    expect(basic.status).toBe(401);
    const anonymous = await simRequest(sim, '/plugins/servlet/applinks/whoami');
    expect(anonymous.status).toBe(200);
    expect(anonymous.text).toBe('');
  });
});

describe('permissions (§9.3)', () => {
  it('answers a repository the token may not read with 401 AuthorisationException', async () => {
    await sim.addRepository('SECRET', 'vault');
    const narrow = sim.addToken({
      user: 'narrow',
      project: sim.project,
      projectPermission: 'PROJECT_READ',
    });
    const response = await simRequest(sim, '/rest/api/1.0/projects/SECRET/repos/vault', {
      bearer: narrow,
    });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual(AUTHORISATION);
    const anonymous = await simRequest(sim, '/rest/api/1.0/projects/SECRET/repos/vault');
    expect(anonymous.json()).toEqual(AUTH_REQUIRED);
  });

  it('filters projects and repositories by permission', async () => {
    const reader = sim.addToken({
      user: 'reader',
      project: sim.project,
      projectPermission: 'PROJECT_READ',
      repoPermission: 'REPO_READ',
    });
    const projects = (
      await simRequest(sim, '/rest/api/1.0/projects?permission=PROJECT_READ', { bearer: reader })
    ).json<{ values: { key: string }[] }>();
    expect(projects.values.map((project) => project.key)).toEqual([sim.project]);
    const writable = (
      await simRequest(sim, '/rest/api/1.0/projects?permission=PROJECT_WRITE', { bearer: reader })
    ).json<{ values: unknown[] }>();
    expect(writable.values).toEqual([]);

    const readRepos = (
      await simRequest(sim, '/rest/api/1.0/repos?permission=REPO_READ&state=AVAILABLE', {
        bearer: reader,
      })
    ).json<{ values: { slug: string }[] }>();
    expect(readRepos.values.map((repo) => repo.slug)).toContain(sim.repo);
    const writeRepos = (
      await simRequest(sim, '/rest/api/1.0/repos?permission=REPO_WRITE&state=AVAILABLE', {
        bearer: reader,
      })
    ).json<{ values: unknown[] }>();
    expect(writeRepos.values).toEqual([]);
    const adminRepos = (
      await simRequest(sim, '/rest/api/1.0/repos?permission=REPO_WRITE', { bearer: sim.pat })
    ).json<{ values: { slug: string }[] }>();
    expect(adminRepos.values.map((repo) => repo.slug)).toEqual(
      expect.arrayContaining([sim.repo, 'vault']),
    );
  });

  it('gives anonymous callers an empty list for a permission filter, and 400 for unknown permissions', async () => {
    const anonymous = (await simRequest(sim, '/rest/api/1.0/repos?permission=REPO_READ')).json<{
      values: unknown[];
    }>();
    expect(anonymous.values).toEqual([]);
    const bad = await simRequest(sim, '/rest/api/1.0/projects?permission=REPO_READ', {
      bearer: sim.pat,
    });
    expect(bad.status).toBe(400);
    expect(bad.json<{ errors: { exceptionName: string }[] }>().errors[0]!.exceptionName).toBe(
      'com.atlassian.bitbucket.validation.ArgumentValidationException',
    );
  });

  it('shows public projects to anonymous callers', async () => {
    sim.addProject('OPEN', 'Open source', { public: true });
    await sim.addRepository('OPEN', 'docs');
    const projects = (await simRequest(sim, '/rest/api/1.0/projects')).json<{
      values: { key: string; public: boolean }[];
    }>();
    expect(projects.values).toEqual([expect.objectContaining({ key: 'OPEN', public: true })]);
    const repo = await simRequest(sim, '/rest/api/1.0/projects/OPEN/repos/docs');
    expect(repo.status).toBe(200);
  });
});

describe('repositories', () => {
  it('returns repository detail in BDC’s shape with the lower-cased clone URL', async () => {
    const response = await simRequest(
      sim,
      `/rest/api/1.0/projects/${sim.project}/repos/${sim.repo}`,
      {
        bearer: sim.pat,
      },
    );
    expect(response.status).toBe(200);
    const repo = response.json<Record<string, unknown>>();
    expect(Object.keys(repo)).toEqual([
      'slug',
      'id',
      'name',
      // The ready repository has a description; BDC leaves the key out when there is none.
      'description',
      'hierarchyId',
      'scmId',
      'state',
      'statusMessage',
      'forkable',
      'project',
      'public',
      'archived',
      'links',
    ]);
    expect(repo).toMatchObject({ slug: sim.repo, scmId: 'git', state: 'AVAILABLE' });
    const links = repo['links'] as { clone: { href: string; name: string }[] };
    expect(links.clone).toContainEqual({
      href: `${sim.url}/scm/${sim.project.toLowerCase()}/${sim.repo}.git`,
      name: 'http',
    });
  });

  it('answers a missing repository and project with BDC’s 404 bodies', async () => {
    const repo = await simRequest(sim, `/rest/api/1.0/projects/${sim.project}/repos/invalidslug`, {
      bearer: sim.pat,
    });
    expect(repo.status).toBe(404);
    expect(repo.json()).toEqual({
      errors: [
        {
          context: null,
          message: `Repository ${sim.project}/invalidslug does not exist.`,
          exceptionName: 'com.atlassian.bitbucket.repository.NoSuchRepositoryException',
        },
      ],
    });
    const project = await simRequest(sim, '/rest/api/1.0/projects/NOPE/repos/x', {
      bearer: sim.pat,
    });
    expect(project.status).toBe(404);
  });

  it('reports and changes the default branch; the deprecated endpoint gives 204 when empty', async () => {
    const path = `/rest/api/1.0/projects/${sim.project}/repos/${sim.repo}/default-branch`;
    expect((await simRequest(sim, path, { bearer: sim.pat })).json()).toEqual({
      id: 'refs/heads/main',
      displayId: 'main',
      type: 'BRANCH',
    });
    const detail = (
      await simRequest(
        sim,
        `/rest/api/1.0/projects/${sim.project}/repos/${sim.repo}/branches/default`,
        {
          bearer: sim.pat,
        },
      )
    ).json();
    expect(detail).toMatchObject({ id: 'refs/heads/main', isDefault: true });
    expect(detail['latestCommit']).toMatch(/^[0-9a-f]{40}$/);

    await sim.addRepository(sim.project, 'empty');
    const empty = await simRequest(
      sim,
      `/rest/api/1.0/projects/${sim.project}/repos/empty/branches/default`,
      {
        bearer: sim.pat,
      },
    );
    expect(empty.status).toBe(204);
    const put = await simRequest(
      sim,
      `/rest/api/1.0/projects/${sim.project}/repos/empty/default-branch`,
      {
        method: 'PUT',
        bearer: sim.pat,
        body: { id: 'refs/heads/develop' },
      },
    );
    expect(put.status).toBe(204);
    const after = await simRequest(
      sim,
      `/rest/api/1.0/projects/${sim.project}/repos/empty/default-branch`,
      {
        bearer: sim.pat,
      },
    );
    expect(after.json()).toEqual({
      id: 'refs/heads/develop',
      displayId: 'develop',
      type: 'BRANCH',
    });
  });
});

describe('paging (§9.4)', () => {
  it('defaults to limit 25 and pages through projects following nextPageStart', async () => {
    for (let index = 0; index < 30; index += 1)
      sim.addProject(`P${String(index).padStart(2, '0')}`);
    const agent = trustingAgent(sim.caPem);
    try {
      const first = (
        await simRequest(sim, '/rest/api/1.0/projects', { bearer: sim.pat, agent })
      ).json<{
        limit: number;
        size: number;
        isLastPage: boolean;
        nextPageStart: number;
      }>();
      expect(first).toMatchObject({ limit: 25, size: 25, isLastPage: false, nextPageStart: 25 });
      const seen = await pageAll(agent, 7);
      expect(seen.length).toBe(new Set(seen).size);
      expect(seen.length).toBeGreaterThanOrEqual(32);
    } finally {
      await agent.close();
    }
  });

  it('in skewed mode nextPageStart differs from start + limit, and following it still sees everything once', async () => {
    const agent = trustingAgent(sim.caPem);
    try {
      const normal = await pageAll(agent, 4);
      sim.setPaging('skewed');
      const firstPage = (
        await simRequest(sim, '/rest/api/1.0/projects?start=0&limit=1', { bearer: sim.pat, agent })
      ).json();
      expect(firstPage).toMatchObject({
        start: 0,
        limit: 1,
        size: 1,
        isLastPage: false,
        nextPageStart: 2,
      });
      const skewed = await pageAll(agent, 4);
      expect(skewed).toEqual(normal);
      // A client computing start + limit meets the same project twice.
      const naive = (
        await simRequest(sim, '/rest/api/1.0/projects?start=1&limit=1', { bearer: sim.pat, agent })
      ).json<{ values: { key: string }[] }>();
      expect(naive.values[0]!.key).toBe(normal[0]);
    } finally {
      sim.setPaging('normal');
      await agent.close();
    }
  });
});

async function pageAll(agent: ReturnType<typeof trustingAgent>, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let start = 0;
  for (let guard = 0; guard < 100; guard += 1) {
    const page = (
      await simRequest(sim, `/rest/api/1.0/projects?start=${start}&limit=${limit}`, {
        bearer: sim.pat,
        agent,
      })
    ).json<{ values: { key: string }[]; isLastPage: boolean; nextPageStart?: number }>();
    keys.push(...page.values.map((project) => project.key));
    if (page.isLastPage) return keys;
    start = page.nextPageStart!;
  }
  throw new Error('paging never ended');
}
