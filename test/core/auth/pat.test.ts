import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createBdcClient } from '../../../core/bdc/bdc-client.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import { createAuthorization } from '../../../core/auth/installation-authorization.js';
import { normalisePat, patAuthorization, verifyPat } from '../../../core/auth/pat.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { serializeTokenSet } from '../../../core/auth/oauth/oauth-token-set.js';
import { json, startLocalServer, type LocalServer } from '../bdc/local-server.js';

const GOOD = 'BBDC-good/token+1';
const dispatcher = new Agent();
let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const authRequired = {
  errors: [
    {
      context: null,
      message: 'You are not permitted to access this resource',
      exceptionName:
        'com.atlassian.plugins.rest.api.security.exception.AuthenticationRequiredException',
    },
  ],
};

/** A BDC stand-in: GOOD names alice; `projects` are served one per page with skewed starts. */
async function fakeBdc(projects: readonly string[], options: { anonymousUsers?: boolean } = {}) {
  return startLocalServer((request, response) => {
    const url = new URL(request.url, 'http://x');
    const known = request.headers['authorization'] === `Bearer ${GOOD}`;
    const who: Record<string, string> = known ? { 'x-ausername': 'alice' } : {};
    if (url.pathname === '/rest/api/1.0/users') {
      if (!known && !options.anonymousUsers) json(response, 401, authRequired);
      else json(response, 200, { size: 0, limit: 1, start: 0, isLastPage: true, values: [] }, who);
    } else if (url.pathname === '/rest/api/1.0/users/alice') {
      json(response, 200, { name: 'alice', displayName: 'Alice A.' }, who);
    } else if (url.pathname === '/rest/api/1.0/projects') {
      expect(url.searchParams.get('permission')).toBe('PROJECT_READ');
      const visible = known ? projects : [];
      const start = Number(url.searchParams.get('start'));
      const index = start / 2; // ids are not contiguous: page n starts at 2n
      const last = index >= visible.length - 1;
      json(
        response,
        200,
        {
          size: visible.length === 0 ? 0 : 1,
          limit: 1,
          start,
          isLastPage: last,
          values: visible.length === 0 ? [] : [{ key: visible[index] }],
          ...(last ? {} : { nextPageStart: start + 2 }),
        },
        who,
      );
    } else json(response, 404, { errors: [{ message: 'nope' }] });
  });
}

function clientFor(token: string) {
  if (!server) throw new Error('no server');
  return createBdcClient({
    baseUrl: server.url,
    dispatcher,
    authorization: patAuthorization(token, '?'),
  });
}

describe('PAT verification', () => {
  it('accepts a token that names a user and counts every readable project across pages', async () => {
    server = await fakeBdc(['A', 'B', 'C', 'D', 'E']);
    const result = await verifyPat(clientFor(GOOD), { requireProjects: ['a', 'C'] });
    expect(result).toEqual({
      user: 'alice',
      displayName: 'Alice A.',
      projects: 5,
      projectKeys: ['A', 'B', 'C', 'D', 'E'],
    });
  });

  it('refuses an unknown token (401 on an endpoint anonymous callers cannot use)', async () => {
    server = await fakeBdc(['A']);
    await expect(verifyPat(clientFor('BBDC-unknown'))).rejects.toMatchObject({
      code: 'AUTH_TOKEN_REFUSED',
    });
  });

  it('refuses a token served as anonymous even when the endpoint answers 200', async () => {
    server = await fakeBdc(['A'], { anonymousUsers: true });
    await expect(verifyPat(clientFor('BBDC-unknown'))).rejects.toMatchObject({
      code: 'AUTH_TOKEN_REFUSED',
      message: expect.stringContaining('anonymous'),
    });
  });

  it('tells a valid token that reads nothing apart from a refused one', async () => {
    server = await fakeBdc([]);
    await expect(verifyPat(clientFor(GOOD))).rejects.toMatchObject({
      code: 'AUTH_NO_ACCESS',
      data: { user: 'alice', projects: 0 },
    });
  });

  it('names the required projects the token cannot read', async () => {
    server = await fakeBdc(['A', 'B']);
    await expect(
      verifyPat(clientFor(GOOD), { requireProjects: ['A', 'OPS', 'sec'] }),
    ).rejects.toMatchObject({
      code: 'AUTH_PROJECTS_MISSING',
      message: expect.stringContaining('OPS, sec'),
      data: { missing: ['OPS', 'sec'] },
    });
  });

  it('checks the token shape without echoing it', () => {
    expect(normalisePat('  BBDC-abc/+def \n')).toBe('BBDC-abc/+def');
    expect(() => normalisePat(' \n')).toThrow(
      expect.objectContaining({ code: 'AUTH_TOKEN_EMPTY' }),
    );
    try {
      normalisePat('BBDC-first-SECRET\nBBDC-second');
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('INPUT_INVALID');
      expect((error as Error).message).not.toContain('SECRET');
    }
  });
});

describe('createAuthorization', () => {
  it('gives the stored PAT as a Bearer header and refuses installations without a credential', async () => {
    const secrets = createMemorySecretStore();
    const base = newInstallation({ name: 'x', baseUrl: 'https://bdc.corp' });
    await expect(createAuthorization(base, secrets, { env: {} })).rejects.toMatchObject({
      code: 'AUTH_NOT_SIGNED_IN',
    });
    const signedIn = { ...base, auth: { kind: 'pat', user: 'alice', verifiedAt: 'now' } as const };
    await expect(createAuthorization(signedIn, secrets, { env: {} })).rejects.toMatchObject({
      code: 'AUTH_NOT_SIGNED_IN',
      message: expect.stringContaining('missing'),
    });
    await secrets.set({ installationId: base.id, kind: 'pat' }, GOOD);
    const authorization = await createAuthorization(signedIn, secrets, { env: {} });
    expect(authorization.user).toBe('alice');
    expect(await authorization.header()).toBe(`Bearer ${GOOD}`);
    expect(await authorization.refresh()).toBe(false);
  });

  it('delegates OAuth installations to the OAuth authorization with their stored tokens', async () => {
    const secrets = createMemorySecretStore();
    const base = newInstallation({ name: 'o', baseUrl: 'https://bdc.corp' });
    const oauth = {
      ...base,
      auth: { kind: 'oauth', clientId: 'cid', redirect: 'localhost', user: 'carol' } as const,
    };
    const now = Date.now();
    await secrets.set(
      { installationId: base.id, kind: 'oauth-tokens' },
      serializeTokenSet({
        version: 1,
        clientId: 'cid',
        accessToken: 'access-1',
        refreshToken: 'refresh-1',
        expiresAt: now + 3_600_000,
        scope: 'REPO_WRITE',
        user: 'carol',
        obtainedAt: now,
      }),
    );
    const authorization = await createAuthorization(oauth, secrets, { env: {} });
    expect(authorization.kind).toBe('oauth');
    expect(await authorization.header()).toBe('Bearer access-1');
  });
});
