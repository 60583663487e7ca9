import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { startSimulator } from '../../sim/index.js';
import { newInstallation } from '../../core/settings/new-installation.js';
import { openSettings } from '../../core/settings/settings-file.js';
import { serializeTokenSet } from '../../core/auth/oauth/oauth-token-set.js';
import { createKeytarStore } from '../../core/secrets/keytar-store.js';
import { runCliInProcess } from '../helpers/cli-harness.js';
import {
  filesContaining,
  keychainReadByOtherProcess,
  type JsonDocument,
} from './identity-helpers.js';

const keyring = process.env['BDC_KEYRING_READY'] === '1';
let sim: RunningSimulator;
let home: string;
let installationId: string;

async function cli(
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; home?: string } = {},
) {
  const { home: otherHome, ...rest } = options;
  const run = await runCliInProcess(['--home', otherHome ?? home, '--json', ...args], rest);
  return {
    ...run,
    document: JSON.parse(run.stdout) as JsonDocument,
  };
}

beforeAll(async () => {
  // Skewed paging: nextPageStart differs from start + limit, as on real BDC.
  sim = await startSimulator({ platform: false, paging: 'skewed' });
  for (let index = 0; index < 120; index += 1) sim.addProject(`P${index}`);
  home = mkdtempSync(join(tmpdir(), 'bdc-cli-auth-'));
  // Set up through the settings API so this file tests sign-in only (add has its own tests).
  const installation = newInstallation({
    name: 'sim',
    baseUrl: sim.url,
    caPems: [sim.caPem],
    allowLoopback: true,
  });
  openSettings(home).saveInstallation(installation);
  installationId = installation.id;
});
afterAll(async () => {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
});

describe.runIf(keyring)('auth commands against the simulator and gnome-keyring', () => {
  it("refuses an unknown token with BDC's own answer and stores nothing", async () => {
    const run = await cli(['auth', 'pat', 'sim', '--token-stdin'], {
      stdin: 'BBDC-UnknownToken0123456789abcdefghijklmnopqrstuv\n',
    });
    expect(run.code).toBe(1);
    expect(run.document.error.code).toBe('AUTH_TOKEN_REFUSED');
    expect(run.document.error.message).toContain('You are not permitted to access this resource');
    expect(run.document.error.message).not.toContain('UnknownToken');
    expect(keychainReadByOtherProcess(`${installationId}/pat`)).toBeNull();
    expect((await cli(['auth', 'status', 'sim'])).document.mode).toBe('none');
  });

  it('refuses revoked and expired tokens (served as anonymous) with the same code', async () => {
    const revoked = sim.addToken({ user: 'admin', projectPermission: 'PROJECT_READ' });
    sim.revokeToken(revoked);
    const run = await cli(['auth', 'pat', 'sim', '--token-stdin'], { stdin: revoked });
    expect(run.document.error.code).toBe('AUTH_TOKEN_REFUSED');
    const expired = sim.addToken({
      user: 'admin',
      projectPermission: 'PROJECT_READ',
      expiresAt: Date.now() - 1000,
    });
    const late = await cli(['auth', 'pat', 'sim', '--token-stdin'], { stdin: expired });
    expect(late.document.error.code).toBe('AUTH_TOKEN_REFUSED');
    expect(keychainReadByOtherProcess(`${installationId}/pat`)).toBeNull();
  });

  it('tells a valid token that can read nothing apart from a refused one', async () => {
    const useless = sim.addToken({ user: 'other' });
    const run = await cli(['auth', 'pat', 'sim', '--token-stdin'], { stdin: useless });
    expect(run.document.error.code).toBe('AUTH_NO_ACCESS');
    expect(run.document.error.message).toContain('valid for other');
    expect(keychainReadByOtherProcess(`${installationId}/pat`)).toBeNull();
  });

  it('names the required projects the token cannot read', async () => {
    const run = await cli(
      ['auth', 'pat', 'sim', '--token-stdin', '--require-projects', 'DEMO,NOPE,ALSO'],
      { stdin: sim.pat },
    );
    expect(run.document.error.code).toBe('AUTH_PROJECTS_MISSING');
    expect(run.document.error.message).toContain('NOPE, ALSO');
    expect(run.document.error.message).not.toContain('DEMO,');
  });

  it('requires --token-stdin or --token-file: a token is never an argument', async () => {
    const run = await cli(['auth', 'pat', 'sim']);
    expect(run.code).toBe(2);
    expect(run.document.error.code).toBe('USAGE_INVALID');
    const file = join(home, '..', `token-${Date.now()}`);
    writeFileSync(file, `${sim.pat}\n`, { mode: 0o644 });
    try {
      const both = await cli(['auth', 'pat', 'sim', '--token-stdin', '--token-file', file]);
      expect(both.code).toBe(2);
      const fromFile = await cli(['auth', 'pat', 'sim', '--token-file', file]);
      expect(fromFile.document).toMatchObject({ ok: true, user: sim.user.name });
      expect(fromFile.stderr).toContain('chmod 600');
      await cli(['auth', 'logout', 'sim']);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('accepts a reading token, counts its projects over every page, and keeps it only in the keychain', async () => {
    const reader = sim.addToken({ user: 'reader', projectPermission: 'PROJECT_READ' });
    const run = await cli(
      ['auth', 'pat', 'sim', '--token-stdin', '--require-projects', 'P0,p119,DEMO'],
      { stdin: `${reader}\n` },
    );
    expect(run.code).toBe(0);
    expect(run.document).toMatchObject({
      ok: true,
      user: 'reader',
      projects: 121,
      secretStore: 'keytar',
    });
    expect(keychainReadByOtherProcess(`${installationId}/pat`)).toBe(reader);
    expect(filesContaining(home, reader)).toEqual([]);

    const status = await cli(['auth', 'status', 'sim']);
    expect(status.document).toMatchObject({
      mode: 'pat',
      user: 'reader',
      expiresAt: null,
      credentialStored: true,
      secretStore: {
        backend: 'keytar',
        description: 'OS keychain',
        healthy: true,
        osProtected: true,
      },
    });
  });

  it('replaces the token with the ready admin token (the one the simulator hands out)', async () => {
    const run = await cli(['auth', 'pat', 'sim', '--token-stdin'], { stdin: sim.pat });
    expect(run.document).toMatchObject({ ok: true, user: sim.user.name });
    expect(keychainReadByOtherProcess(`${installationId}/pat`)).toBe(sim.pat);
  });

  it('logs out: the keychain entry goes, the installation stays', async () => {
    const run = await cli(['auth', 'logout', 'sim']);
    expect(run.document).toMatchObject({ ok: true, previousMode: 'pat', secretsDeleted: ['pat'] });
    expect(keychainReadByOtherProcess(`${installationId}/pat`)).toBeNull();
    expect((await cli(['auth', 'status', 'sim'])).document).toMatchObject({
      mode: 'none',
      credentialStored: false,
    });
    expect((await cli(['installation', 'show', 'sim'])).code).toBe(0);
  });
});

describe.runIf(keyring)('auth status and logout of an OAuth sign-in', () => {
  it('shows the access-token expiry, then forgets the tokens but keeps the client secret', async () => {
    const settings = openSettings(home);
    const oauth = newInstallation({
      name: 'sim-oauth',
      baseUrl: sim.url,
      caPems: [sim.caPem],
      allowLoopback: true,
    });
    settings.saveInstallation({
      ...oauth,
      auth: { kind: 'oauth', clientId: sim.oauthClientId, redirect: 'localhost', user: 'admin' },
    });
    const store = createKeytarStore();
    const expiresAt = Date.parse('2030-01-02T03:04:05.000Z');
    await store.set(
      { installationId: oauth.id, kind: 'oauth-tokens' },
      serializeTokenSet({
        version: 1,
        clientId: sim.oauthClientId,
        accessToken: 'not-a-real-access-token',
        refreshToken: 'not-a-real-refresh-token',
        expiresAt,
        scope: 'REPO_WRITE',
        user: 'admin',
        obtainedAt: Date.now(),
      }),
    );
    await store.set(
      { installationId: oauth.id, kind: 'oauth-client-secret' },
      sim.oauthClientSecret,
    );
    const status = await cli(['auth', 'status', 'sim-oauth']);
    expect(status.document).toMatchObject({
      mode: 'oauth',
      user: 'admin',
      clientId: sim.oauthClientId,
      expiresAt: '2030-01-02T03:04:05.000Z',
      credentialStored: true,
    });
    const logout = await cli(['auth', 'logout', 'sim-oauth']);
    // The simulator does not know these tokens, so revocation is refused; local deletion happens anyway.
    expect(logout.document).toMatchObject({
      ok: true,
      previousMode: 'oauth',
      secretsDeleted: ['oauth-tokens'],
    });
    expect(typeof logout.document.revoked).toBe('boolean');
    expect(keychainReadByOtherProcess(`${oauth.id}/oauth-tokens`)).toBeNull();
    expect(keychainReadByOtherProcess(`${oauth.id}/oauth-client-secret`)).toBe(
      sim.oauthClientSecret,
    );
    const removed = await cli(['installation', 'remove', 'sim-oauth']);
    expect(removed.document.secretsDeleted).toEqual(['oauth-client-secret']);
    expect(keychainReadByOtherProcess(`${oauth.id}/oauth-client-secret`)).toBeNull();
  });
});

describe('auth with an explicit headless secret store', () => {
  it('keeps the PAT in the encrypted file, discloses it, never writes it in plaintext, and pins the store', async () => {
    const headless = mkdtempSync(join(tmpdir(), 'bdc-cli-auth-headless-'));
    const passphraseFile = join(headless, '..', `pass-${Date.now()}`);
    writeFileSync(passphraseFile, 'a long passphrase\n', { mode: 0o600 });
    const env = {
      BDC_COMPANION_SECRET_STORE: 'encrypted-file',
      BDC_COMPANION_SECRETS_PASSPHRASE_FILE: passphraseFile,
    };
    openSettings(headless).saveInstallation(
      newInstallation({ name: 'sim', baseUrl: sim.url, caPems: [sim.caPem], allowLoopback: true }),
    );
    try {
      const run = await cli(['auth', 'pat', 'sim', '--token-stdin'], {
        stdin: sim.pat,
        env,
        home: headless,
      });
      expect(run.document).toMatchObject({ ok: true, secretStore: 'encrypted-file' });
      expect(filesContaining(headless, sim.pat)).toEqual([]);
      expect(readFileSync(join(headless, 'secrets.enc'), 'utf8')).toContain('aes-256-gcm');
      const status = await cli(['auth', 'status', 'sim'], { env, home: headless });
      expect(status.document.secretStore).toMatchObject({
        backend: 'encrypted-file',
        osProtected: false,
        healthy: true,
      });
      expect(status.document.secretStore.description).toContain('not the OS keychain');
      const noPassphrase = await cli(['auth', 'status', 'sim'], {
        env: { BDC_COMPANION_SECRET_STORE: 'encrypted-file' },
        home: headless,
      });
      expect(noPassphrase.document.secretStore).toMatchObject({
        backend: 'encrypted-file',
        healthy: false,
        problem: { code: 'SECRET_STORE_NOT_CONFIGURED' },
      });
      // Forgetting the variable later must not quietly use (and pin) the keychain instead.
      const forgot = await cli(['auth', 'status', 'sim'], { home: headless });
      expect(forgot.document.secretStore).toMatchObject({
        healthy: false,
        problem: { code: 'SECRET_STORE_MISMATCH' },
      });
      expect(forgot.document.secretStore.problem.message).toContain('encrypted-file');
      const wrongStore = await cli(['auth', 'pat', 'sim', '--token-stdin'], {
        stdin: sim.pat,
        home: headless,
      });
      expect(wrongStore.document.error.code).toBe('SECRET_STORE_MISMATCH');
      expect(
        JSON.parse(readFileSync(join(headless, 'settings.json'), 'utf8')).secretStore.backend,
      ).toBe('encrypted-file');
      await cli(['auth', 'logout', 'sim'], { env, home: headless });
    } finally {
      rmSync(passphraseFile, { force: true });
      rmSync(headless, { recursive: true, force: true });
    }
  });

  it('uses a systemd credentials folder read-only: verifies what it provides, writes nothing', async () => {
    const headless = mkdtempSync(join(tmpdir(), 'bdc-cli-auth-creds-'));
    const credentials = mkdtempSync(join(tmpdir(), 'bdc-cli-creds-'));
    const env = {
      BDC_COMPANION_SECRET_STORE: 'credentials-dir',
      CREDENTIALS_DIRECTORY: credentials,
    };
    openSettings(headless).saveInstallation(
      newInstallation({ name: 'svc', baseUrl: sim.url, caPems: [sim.caPem], allowLoopback: true }),
    );
    writeFileSync(join(credentials, 'svc.pat'), `${sim.pat}\n`, { mode: 0o400 });
    try {
      const signedIn = await cli(['auth', 'pat', 'svc', '--token-stdin'], {
        stdin: `${sim.pat}\n`,
        env,
        home: headless,
      });
      expect(signedIn.document).toMatchObject({
        ok: true,
        user: sim.user.name,
        secretStore: 'credentials-dir',
      });
      const other = sim.addToken({ user: 'admin', projectPermission: 'PROJECT_READ' });
      const refused = await cli(['auth', 'pat', 'svc', '--token-stdin'], {
        stdin: other,
        env,
        home: headless,
      });
      expect(refused.document.error.code).toBe('SECRET_STORE_READ_ONLY');
      expect(refused.document.error.message).toContain(join(credentials, 'svc.pat'));
      const status = await cli(['auth', 'status', 'svc'], { env, home: headless });
      expect(status.document).toMatchObject({
        mode: 'pat',
        credentialStored: true,
        secretStore: { backend: 'credentials-dir', osProtected: false, location: credentials },
      });
      const removed = await cli(['installation', 'remove', 'svc'], { env, home: headless });
      expect(removed.document).toMatchObject({ secretsDeleted: [], secretsKept: ['pat'] });
      expect(readFileSync(join(credentials, 'svc.pat'), 'utf8')).toBe(`${sim.pat}\n`);
      expect(filesContaining(headless, sim.pat)).toEqual([]);
    } finally {
      rmSync(headless, { recursive: true, force: true });
      rmSync(credentials, { recursive: true, force: true });
    }
  });
});
