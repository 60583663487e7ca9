import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  missingPermissionFor,
  oauthScopes,
  PERMISSION_NEEDS,
  permissionNeed,
} from '../../../common/auth/permission-needs.js';
import {
  isCompanionError,
  shapeHint,
  type CompanionError,
} from '../../../common/errors/companion-error.js';
import { speaksCli, speaksGui } from '../../../common/errors/hint-surface.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

// The sign-in screen and docs/bdc-admin-setup.md name the permissions in PERMISSION_NEEDS. Here
// the simulator issues tokens with exactly those permissions: each feature the screen promises
// works, and with one permission less the error names the missing one.
let sim: RunningSimulator;
let home: string;
let service: CompanionService;
let installation = 0;

beforeAll(async () => {
  sim = await startTestSimulator({ platform: false });
  home = mkdtempSync(join(tmpdir(), 'permission-needs-'));
  service = await openCompanionService({
    home,
    transport: 'http',
    logger: silentLogger,
    secretStore: createMemorySecretStore(),
    env: { BDC_COMPANION_CACHE_DIR: join(home, 'cache') },
    oauthRedirect: 'localhost',
    startRelays: false,
  });
});

afterAll(async () => {
  await service?.close();
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

/** A new installation signed in with a token holding exactly these permissions. */
async function signedInWith(permissions: {
  projectPermission?: 'PROJECT_READ';
  repoPermission?: 'REPO_READ' | 'REPO_WRITE' | 'REPO_ADMIN';
}): Promise<string> {
  const name = `perm-${(installation += 1)}`;
  await service.invoke('addInstallation', [
    { name, baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
  ]);
  const token = sim.addToken({ user: sim.user.name, ...permissions });
  await service.invoke('signInWithPat', [{ installation: name, token }]);
  return name;
}

function pushOne(name: string, path: string) {
  return service.invoke('testPush', [
    {
      installation: name,
      repo: `${sim.project}/${sim.repo}`,
      branch: 'main',
      message: `permission check ${path}`,
      put: [{ path, content: `${path}\n` }],
      delete: [],
    },
  ]);
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'succeeded';
  } catch (error) {
    return isCompanionError(error) ? error.code : String(error);
  }
}

const relayUrl = 'http://127.0.0.1:9/webhooks/bitbucket-dc/inst-1';

describe('the permissions the screens name, proven against the simulator', () => {
  it('are the rows the screen shows, and OAuth asks for admin only when webhooks are wanted', () => {
    expect(PERMISSION_NEEDS.map((need) => need.tokenPermission)).toEqual([
      'PROJECT_READ',
      'REPO_WRITE',
      'REPO_ADMIN',
    ]);
    expect(oauthScopes(false)).not.toContain('REPO_ADMIN');
    expect(oauthScopes(true)).toContain('REPO_ADMIN');
  });

  it('Projects: Read and Repositories: Write sign in, list and push; webhooks name Repositories: Admin', async () => {
    const name = await signedInWith({
      projectPermission: 'PROJECT_READ',
      repoPermission: 'REPO_WRITE',
    });
    const projects = await service.invoke('listProjects', [{ installation: name }]);
    expect(projects.map((project) => project.key)).toContain(sim.project);
    const repositories = await service.invoke('listRepositories', [
      { installation: name, project: sim.project },
    ]);
    expect(repositories.map((repo) => repo.slug)).toContain(sim.repo);
    await expect(pushOne(name, 'perm/write.txt')).resolves.toMatchObject({ kind: 'pushed' });
    await service.invoke('setWebhookSecret', [
      { installation: name, secret: 'a-webhook-secret-of-32-characters' },
    ]);
    const refusal = await service
      .invoke('registerWebhooks', [
        { installation: name, repos: [`${sim.project}/${sim.repo}`], url: relayUrl },
      ])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const code = isCompanionError(refusal) ? refusal.code : String(refusal);
    expect(code).toBe('WEBHOOK_PERMISSION_DENIED');
    expect(missingPermissionFor(code)?.token).toBe(permissionNeed('webhooks').token);
    // The manual set-up reaches the window in its words: page, URL, event and secret, no command.
    const shape = (refusal as CompanionError).toJSON();
    for (const surface of ['gui', 'cli'] as const) {
      const hint = shapeHint(shape, surface) ?? '';
      expect(hint, surface).toContain(`/projects/${sim.project}/repos/${sim.repo}/settings`);
      expect(hint, surface).toContain(`URL: ${relayUrl}`);
      expect(hint, surface).toContain('repo:refs_changed');
      expect(hint, surface).toContain('Secret: the webhook secret the Ankra platform issued');
    }
    expect(speaksCli(shapeHint(shape, 'gui') ?? '')).toBe(false);
    expect(speaksGui(shapeHint(shape, 'cli') ?? '')).toBe(false);
  }, 30_000);

  it('Repositories: Admin registers the webhook', async () => {
    const name = await signedInWith({
      projectPermission: 'PROJECT_READ',
      repoPermission: 'REPO_ADMIN',
    });
    await service.invoke('setWebhookSecret', [
      { installation: name, secret: 'a-webhook-secret-of-32-characters' },
    ]);
    const registered = await service.invoke('registerWebhooks', [
      { installation: name, repos: [`${sim.project}/${sim.repo}`], url: relayUrl },
    ]);
    expect(registered.webhooks).toHaveLength(1);
    await service.invoke('unregisterWebhooks', [
      { installation: name, repos: [`${sim.project}/${sim.repo}`] },
    ]);
  }, 30_000);

  it('one less — Repositories: Read instead of Write — refuses the push and names Write', async () => {
    const name = await signedInWith({
      projectPermission: 'PROJECT_READ',
      repoPermission: 'REPO_READ',
    });
    const code = await codeOf(pushOne(name, 'perm/read-only.txt'));
    expect(code).toBe('PUSH_PERMISSION_DENIED');
    expect(missingPermissionFor(code)?.token).toBe(permissionNeed('push').token);
  }, 30_000);
});
