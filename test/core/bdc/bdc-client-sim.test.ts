import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patAuthorization } from '../../../core/auth/pat.js';
import { bdcClientForInstallation, type BdcClient } from '../../../core/bdc/bdc-client.js';
import { startSimulator } from '../../../sim/index.js';
import type { RunningSimulator } from '../../../sim/simulator-api.js';

let sim: RunningSimulator;
const clients: BdcClient[] = [];

function client(token: string | undefined, options: { ca?: boolean; loopback?: boolean } = {}) {
  const made = bdcClientForInstallation(
    {
      baseUrl: sim.url,
      caPems: options.ca === false ? [] : [sim.caPem],
      allowLoopback: options.loopback ?? true,
    },
    token === undefined ? undefined : patAuthorization(token, '?'),
    { env: {} },
  );
  clients.push(made);
  return made;
}

beforeAll(async () => {
  sim = await startSimulator({ platform: false, paging: 'skewed', contextPath: '/bitbucket' });
  for (let index = 0; index < 30; index += 1) sim.addProject(`K${index}`);
});
afterAll(async () => {
  await Promise.all(clients.map((made) => made.close()));
  await sim.close();
});

describe('BDC REST client against the simulator over HTTPS', () => {
  it('reaches BDC through the pasted CA, keeping the context path, as the token user', async () => {
    const response = await client(sim.pat).request<{ version: string }>({
      path: '/rest/api/1.0/application-properties',
    });
    expect(sim.url).toMatch(/\/bitbucket$/);
    expect(response.body.version).toBe('9.4.22');
    expect(response.user).toBe(sim.user.name);
  });

  it('pages through every project with skewed nextPageStart', async () => {
    const reader = sim.addToken({ user: 'pager', projectPermission: 'PROJECT_READ' });
    const keys: string[] = [];
    for await (const project of client(reader).paged<{ key: string }>(
      '/rest/api/1.0/projects',
      { permission: 'PROJECT_READ' },
      { limit: 7 },
    )) {
      keys.push(project.key);
    }
    expect(keys).toHaveLength(31);
    expect(new Set(keys).size).toBe(31);
  });

  it('maps BDC answers: permission 401 quirk, missing repository, PAT on a non-REST path', async () => {
    const nobody = sim.addToken({ user: 'nobody' });
    await expect(
      client(nobody).getJson(`/rest/api/1.0/projects/${sim.project}/repos/${sim.repo}`),
    ).rejects.toMatchObject({ code: 'AUTH_PERMISSION_DENIED' });
    await expect(
      client(sim.pat).getJson(`/rest/api/1.0/projects/${sim.project}/repos/no-such-repo`),
    ).rejects.toMatchObject({
      code: 'BDC_NOT_FOUND',
      message: expect.stringContaining('does not exist'),
    });
    await expect(client(sim.pat).getJson('/plugins/servlet/applinks/whoami')).rejects.toMatchObject(
      { code: 'BDC_RESPONSE_INVALID' },
    );
    await expect(client(undefined).getJson('/rest/api/1.0/users')).rejects.toMatchObject({
      code: 'AUTH_NOT_SIGNED_IN',
    });
  });

  it('waits out a 429 with Retry-After and then succeeds', async () => {
    sim.faults.failNext(1, 429, {
      pathPrefix: '/rest/api/1.0/projects',
      retryAfterSeconds: 1,
    });
    const started = Date.now();
    const body = await client(sim.pat).getJson<{ values: unknown[] }>('/rest/api/1.0/projects');
    expect(body.values.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    sim.faults.clear();
  });

  it('refuses an untrusted certificate and a loopback address without the development setting', async () => {
    await expect(
      client(sim.pat, { ca: false }).getJson('/rest/api/1.0/application-properties'),
    ).rejects.toMatchObject({ code: 'TLS_UNTRUSTED' });
    await expect(
      client(sim.pat, { loopback: false }).getJson('/rest/api/1.0/application-properties'),
    ).rejects.toMatchObject({ code: 'INSTANCE_ADDRESS_FORBIDDEN' });
  });
});
