import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { serializeTokenSet } from '../../../core/auth/oauth/oauth-token-set.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { SecretStore } from '../../../core/secrets/secret-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { makeTestPki } from '../auth/oauth/oauth-fixture.js';

/** A memory store whose deletes can be made to fail like a locked keychain. */
function flakyStore(): SecretStore & { failDeletes: boolean } {
  const inner = createMemorySecretStore();
  const store = {
    ...inner,
    failDeletes: false,
    async delete(key: Parameters<SecretStore['delete']>[0]) {
      if (store.failDeletes) {
        throw new CompanionError('SECRET_STORE_LOCKED', 'The keychain is locked.');
      }
      return inner.delete(key);
    },
  };
  return store;
}

describe('service: removing an installation and signing out', () => {
  let home: string;
  let service: CompanionService;
  let secrets: ReturnType<typeof flakyStore>;
  let server: Server;
  let baseUrl: string;
  let caPem: string;
  const requests: { path: string; body: string }[] = [];

  beforeAll(async () => {
    // Stands in for BDC's token endpoint: records the revocation the sign-out sends.
    const pki = makeTestPki();
    caPem = pki.caPem;
    server = createServer({ key: pki.keyPem, cert: pki.certPem }, (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push({ path: request.url ?? '', body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/bitbucket`;
    home = mkdtempSync(join(tmpdir(), 'service-removal-'));
    secrets = flakyStore();
    service = await openCompanionService({
      home,
      transport: 'http',
      logger: silentLogger,
      secretStore: secrets,
      env: {},
      oauthRedirect: 'localhost',
      startRelays: false,
    });
  });

  afterAll(async () => {
    await service?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });

  it('keeps the installation when its secrets cannot be deleted, so the removal can be retried', async () => {
    const installation = newInstallation({
      name: 'keep',
      baseUrl,
      caPems: [caPem],
      allowLoopback: true,
    });
    openSettings(home).saveInstallation(installation);
    await secrets.set({ installationId: installation.id, kind: 'pat' }, 'BBDC-secret');

    secrets.failDeletes = true;
    await expect(
      service.invoke('removeInstallation', [{ installation: 'keep' }]),
    ).rejects.toMatchObject({ code: 'SECRET_STORE_LOCKED' });
    expect((await service.invoke('listInstallations', [])).map((i) => i.name)).toContain('keep');

    secrets.failDeletes = false;
    await service.invoke('removeInstallation', [{ installation: 'keep' }]);
    expect((await service.invoke('listInstallations', [])).map((i) => i.name)).not.toContain(
      'keep',
    );
    expect(await secrets.get({ installationId: installation.id, kind: 'pat' })).toBeUndefined();
  });

  it('asks Bitbucket to revoke OAuth tokens on sign-out, then forgets them', async () => {
    const installation = {
      ...newInstallation({ name: 'oauth', baseUrl, caPems: [caPem], allowLoopback: true }),
      auth: {
        kind: 'oauth' as const,
        clientId: 'client-1',
        redirect: 'localhost' as const,
        user: 'admin',
      },
    };
    openSettings(home).saveInstallation(installation);
    const tokens = { installationId: installation.id, kind: 'oauth-tokens' as const };
    await secrets.set(
      tokens,
      serializeTokenSet({
        version: 1,
        clientId: 'client-1',
        accessToken: 'access-1',
        refreshToken: 'refresh-1',
        expiresAt: Date.now() + 3_600_000,
        scope: 'REPO_READ',
        user: 'admin',
        obtainedAt: Date.now(),
      }),
    );
    await secrets.set({ installationId: installation.id, kind: 'oauth-client-secret' }, 'cs');

    await service.invoke('signOut', [{ installation: 'oauth' }]);

    const revocation = requests.find((r) => r.path === '/bitbucket/rest/oauth2/latest/revoke');
    expect(revocation?.body).toContain('token=refresh-1');
    expect(revocation?.body).toContain('token_type_hint=refresh_token');
    expect(await secrets.get(tokens)).toBeUndefined();
    expect(
      await secrets.get({ installationId: installation.id, kind: 'oauth-client-secret' }),
    ).toBe('cs');
    expect(openSettings(home).requireInstallation('oauth').auth).toEqual({ kind: 'none' });
  });
});
