import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthProviderFactory } from '../../../sim/oauth-port.js';
import {
  git,
  gitEnv,
  simRequest,
  startTestSimulator,
  tempDir,
  type RunningSimulator,
} from '../../helpers/sim.js';

/**
 * The router's side of the OAuth seam: Bearer tokens that are not PATs go to the provider, and
 * the scopes it reports become permissions. The provider itself is tested in test/sim/oauth*.
 */
const issued = new Map<string, { user: string; scopes: readonly string[] }>([
  ['oauth-read', { user: 'admin', scopes: ['REPO_READ'] }],
  ['oauth-write', { user: 'admin', scopes: ['PUBLIC_REPOS', 'REPO_READ', 'REPO_WRITE'] }],
]);
const claimed: string[] = [];
const provider: OAuthProviderFactory = () => ({
  handle: async (_request, response, path) => {
    if (!path.startsWith('/rest/oauth2/latest/')) return false;
    claimed.push(path);
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('provider');
    return true;
  },
  authenticateBearer: (token) => issued.get(token),
});

let sim: RunningSimulator;
let work: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  sim = await startTestSimulator({ platform: false, keyType: 'ec', oauthProvider: provider });
  work = await tempDir();
});
afterAll(async () => {
  await sim.close();
  await work.remove();
});

describe('OAuth Bearer tokens through the router (§9.2)', () => {
  it('hands /rest/oauth2/latest/* to the provider before answering 404', async () => {
    const response = await simRequest(sim, '/rest/oauth2/latest/authorize?client_id=x');
    expect(response.text).toBe('provider');
    expect(claimed).toEqual(['/rest/oauth2/latest/authorize']);
    expect((await simRequest(sim, '/rest/oauth3/nothing')).status).toBe(404);
  });

  it('authenticates OAuth access tokens and names the user', async () => {
    const response = await simRequest(sim, '/rest/api/1.0/users?limit=1', { bearer: 'oauth-read' });
    expect(response.status).toBe(200);
    expect(response.headers['x-ausername']).toBe('admin');
  });

  it('answers whoami for OAuth tokens (not a PAT, so no login redirect)', async () => {
    const response = await simRequest(sim, '/plugins/servlet/applinks/whoami', {
      bearer: 'oauth-read',
    });
    expect(response.status).toBe(200);
    expect(response.text).toBe('admin');
  });

  it('maps scopes to permissions: REPO_READ clones but cannot push (403), REPO_WRITE pushes', async () => {
    const url = `${sim.url}/scm/demo/gitops.git`;
    const dir = join(work.path, 'clone');
    expect(
      (await git(['clone', '--quiet', url, dir], { env: gitEnv(sim, 'oauth-read') })).code,
    ).toBe(0);
    const env = gitEnv(sim);
    await git(['commit', '--quiet', '--allow-empty', '-m', 'empty'], { cwd: dir, env });
    const denied = await git(['push', 'origin', 'main'], {
      cwd: dir,
      env: gitEnv(sim, 'oauth-read'),
    });
    expect(denied.stderr).toContain('403');
    const allowed = await git(['push', 'origin', 'main'], {
      cwd: dir,
      env: gitEnv(sim, 'oauth-write'),
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    const hooks = await simRequest(sim, '/rest/api/1.0/projects/DEMO/repos/gitops/webhooks', {
      bearer: 'oauth-write',
    });
    expect(hooks.status).toBe(401);
  });
});
