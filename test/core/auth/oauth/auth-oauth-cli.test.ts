import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthOAuthCommand } from '../../../../cli/commands/auth-oauth.js';
import { runCli } from '../../../../cli/main.js';
import {
  createOAuthAuthorization,
  oauthTokensKey,
} from '../../../../core/auth/oauth/oauth-authorization.js';
import { parseTokenSet } from '../../../../core/auth/oauth/oauth-token-set.js';
import { openSecretStore } from '../../../../core/secrets/open-secret-store.js';
import { newInstallation } from '../../../../core/settings/new-installation.js';
import { openSettings } from '../../../../core/settings/settings-file.js';
import {
  launchChromiumTrusting,
  productDispatcher,
  startOAuthTestServer,
  TEST_USER,
  type OAuthTestServer,
} from './oauth-fixture.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Every file under the config home, as text, for the "no secret on disk" check. */
function everyFile(root: string): string {
  let text = '';
  for (const entry of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, entry);
    if (statSync(path).isFile()) text += readFileSync(path, 'latin1');
  }
  return text;
}

// The encrypted-file store works with or without a keychain; the keytar path is covered by the
// secret-store tests and is the default when BDC_COMPANION_SECRET_STORE is unset.
const ENV = {
  BDC_COMPANION_SECRET_STORE: 'encrypted-file',
  BDC_COMPANION_SECRETS_PASSPHRASE: 'test-passphrase-for-oauth-cli',
};

describe('bdc-companion auth oauth', () => {
  let server: OAuthTestServer;
  let browser: Browser;
  let port: number;
  let home: string;
  const customLocations: string[] = [];
  /** What the admin does on the consent page, how often the browser was opened, what it showed. */
  let decision: 'approve' | 'deny' = 'approve';
  let browserOpened = 0;
  let lastPage = '';

  beforeAll(async () => {
    port = await freePort();
    server = await startOAuthTestServer({
      tls: true,
      contextPath: '/bitbucket',
      redirectUris: [
        'io.ankra.bdc-companion:/oauth/callback',
        `http://localhost:${port}/oauth/callback`,
      ],
    });
    browser = await launchChromiumTrusting(server.spki);
    home = mkdtempSync(join(tmpdir(), 'oauth-cli-'));
    openSettings(home).saveInstallation(
      newInstallation({
        name: 'prod',
        baseUrl: server.url,
        caPems: [server.caPem ?? ''],
        allowLoopback: true,
      }),
    );
  });
  afterAll(async () => {
    await browser.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** The user in the browser: log in, Allow; for the custom scheme, note where it was sent. */
  const command = createAuthOAuthCommand({
    openBrowser: () => async (url) => {
      browserOpened += 1;
      const page = await browser.newPage();
      try {
        await page.goto(url);
        await page.fill('#j_username', TEST_USER.name);
        await page.fill('#j_password', TEST_USER.name);
        const [redirect] = await Promise.all([
          page.waitForResponse((r) => r.status() === 302),
          page.click(`#${decision}`),
        ]);
        const location = (await redirect.headerValue('location')) ?? '';
        if (location.startsWith('io.ankra.bdc-companion:')) customLocations.push(location);
        else {
          await page.waitForURL(/\/oauth\/callback\?/);
          lastPage = await page.innerText('body');
        }
      } finally {
        await page.close();
      }
    },
  });

  async function run(argv: readonly string[], stdin: string | PassThrough = '') {
    let stdout = '';
    let stderr = '';
    const input = typeof stdin === 'string' ? PassThrough.from([stdin]) : stdin;
    const code = await runCli(
      [...argv, '--home', home, '--json'],
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        stdin: input,
        env: ENV,
        stopSignal: new AbortController().signal,
      },
      [command],
    );
    return { code, stdout, stderr, json: JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') };
  }

  it('prints the exact redirect URIs to register', async () => {
    const result = await run(['auth', 'oauth', 'prod', '--print-redirect-uris', '--port', '50001']);
    expect(result.code).toBe(0);
    expect(result.json).toEqual({
      ok: true,
      installation: 'prod',
      redirectUris: [
        'io.ankra.bdc-companion:/oauth/callback',
        'http://localhost:50001/oauth/callback',
      ],
    });
    const beforeAdding = await run(['auth', 'oauth', 'not-added-yet', '--print-redirect-uris']);
    expect(beforeAdding.code).toBe(0);
    expect(beforeAdding.json.redirectUris).toHaveLength(2);
  });

  it('signs in through Chromium to the localhost listener; secrets only in the secret store', async () => {
    const result = await run(
      [
        'auth',
        'oauth',
        'prod',
        '--client-id',
        server.clientId,
        '--client-secret-stdin',
        '--port',
        String(port),
        '--no-open',
      ],
      `${server.clientSecret}\n`,
    );
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({
      ok: true,
      user: TEST_USER.name,
      clientId: server.clientId,
      redirectUri: `http://localhost:${port}/oauth/callback`,
      secretStore: 'encrypted-file',
    });
    const installation = openSettings(home).requireInstallation('prod');
    expect(installation.auth).toEqual({
      kind: 'oauth',
      clientId: server.clientId,
      redirect: 'localhost',
      user: TEST_USER.name,
    });
    const secrets = await openSecretStore({ home, env: ENV });
    const tokens = parseTokenSet((await secrets.get(oauthTokensKey(installation.id))) ?? '');
    const onDisk = everyFile(home);
    for (const secret of [server.clientSecret, tokens.accessToken, tokens.refreshToken ?? 'x']) {
      expect(onDisk).not.toContain(secret);
      expect(result.stdout + result.stderr).not.toContain(secret);
    }

    // The REST client's view: an Authorization that refreshes when the hour is over.
    const dispatcher = productDispatcher(server);
    let clock = Date.now();
    const authorization = createOAuthAuthorization(installation, secrets, {
      dispatcher,
      now: () => clock,
      env: {},
    });
    expect(await authorization.header()).toBe(`Bearer ${tokens.accessToken}`);
    clock += 3600_000;
    server.advance(3600_000);
    const refreshed = await authorization.header();
    expect(refreshed).not.toBe(`Bearer ${tokens.accessToken}`);
    expect(server.provider.authenticateBearer(refreshed.slice(7))?.user).toBe(TEST_USER.name);
    await dispatcher.close();
  });

  // npm test and CI run under scripts/with-keyring.sh (a real gnome-keyring); so does this.
  it.runIf(process.env['BDC_KEYRING_READY'] === '1')(
    'keeps the client secret and tokens in the OS keychain by default',
    async () => {
      const keychainHome = mkdtempSync(join(tmpdir(), 'oauth-cli-keytar-'));
      try {
        openSettings(keychainHome).saveInstallation(
          newInstallation({
            name: 'kc',
            baseUrl: server.url,
            caPems: [server.caPem ?? ''],
            allowLoopback: true,
          }),
        );
        let stdout = '';
        const code = await runCli(
          [
            'auth',
            'oauth',
            'kc',
            '--client-id',
            server.clientId,
            '--client-secret-stdin',
            '--port',
            String(port),
            '--home',
            keychainHome,
            '--json',
          ],
          {
            stdout: { write: (text: string) => (stdout += text) },
            stderr: { write: () => true },
            stdin: PassThrough.from([`${server.clientSecret}\n`]),
            env: { DBUS_SESSION_BUS_ADDRESS: process.env['DBUS_SESSION_BUS_ADDRESS'] },
            stopSignal: new AbortController().signal,
          },
          [command],
        );
        expect(code).toBe(0);
        expect(JSON.parse(stdout)).toMatchObject({ ok: true, secretStore: 'keytar' });
        const keychain = await openSecretStore({ home: keychainHome, env: {} });
        const id = openSettings(keychainHome).requireInstallation('kc').id;
        expect(await keychain.get({ installationId: id, kind: 'oauth-client-secret' })).toBe(
          server.clientSecret,
        );
        const tokens = parseTokenSet((await keychain.get(oauthTokensKey(id))) ?? '');
        expect(everyFile(keychainHome)).not.toContain(tokens.accessToken);
        expect(everyFile(keychainHome)).not.toContain(server.clientSecret);
        await keychain.delete(oauthTokensKey(id));
        await keychain.delete({ installationId: id, kind: 'oauth-client-secret' });
      } finally {
        rmSync(keychainHome, { recursive: true, force: true });
      }
    },
  );

  it('signs in with the custom scheme by pasting the URL the browser was sent to', async () => {
    const stdin = new PassThrough();
    stdin.write(`${server.clientSecret}\n`);
    const running = run(
      [
        'auth',
        'oauth',
        'prod',
        '--client-id',
        server.clientId,
        '--client-secret-stdin',
        '--redirect',
        'custom',
      ],
      stdin,
    );
    const deadline = Date.now() + 15_000;
    while (customLocations.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    stdin.end(`${customLocations[0] ?? ''}\n`);
    const result = await running;
    expect(result.stderr).toContain('paste it here');
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({
      ok: true,
      redirectUri: 'io.ankra.bdc-companion:/oauth/callback',
    });
  });

  it('gives a wrong client secret its own error, without echoing it', async () => {
    const wrong = 'not-the-secret-0123456789abcdef';
    const opensBefore = browserOpened;
    const result = await run(
      [
        'auth',
        'oauth',
        'prod',
        '--client-id',
        server.clientId,
        '--client-secret-stdin',
        '--port',
        String(port),
      ],
      `${wrong}\n`,
    );
    expect(result.code).toBe(1);
    expect(result.json.error.code).toBe('OAUTH_CLIENT_REJECTED');
    expect(result.stdout + result.stderr).not.toContain(wrong);
    // Issue 16 item 6: found before the admin was sent to the browser to log in and consent.
    expect(browserOpened).toBe(opensBefore);
    // The earlier sign-in is intact.
    expect(openSettings(home).requireInstallation('prod').auth.kind).toBe('oauth');
  });

  it('names the redirect URI to register when Bitbucket does not know it', async () => {
    const other = await freePort();
    const result = await run(
      [
        'auth',
        'oauth',
        'prod',
        '--client-id',
        server.clientId,
        '--client-secret-stdin',
        '--port',
        String(other),
      ],
      `${server.clientSecret}\n`,
    );
    expect(result.code).toBe(1);
    expect(result.json.error.code).toBe('OAUTH_AUTHORIZE_REJECTED');
    expect(result.json.error.hint).toContain(`http://localhost:${other}/oauth/callback`);
  });

  it('reuses the stored client id and secret; refuses bad flags as usage errors', async () => {
    const reuse = await run(['auth', 'oauth', 'prod', '--port', String(port)]);
    expect(reuse.code).toBe(0);
    const badRedirect = await run(['auth', 'oauth', 'prod', '--redirect', 'web']);
    expect(badRedirect.code).toBe(2);
    const badPort = await run(['auth', 'oauth', 'prod', '--port', '80']);
    expect(badPort.code).toBe(2);
  });

  // Issue 16 item 6: the browser page said "You can close this window" either way, and a failure
  // after consent meant entering the client id and secret again.
  it('says on the browser page how it ended, and keeps what was entered for a plain retry', async () => {
    openSettings(home).saveInstallation(
      newInstallation({
        name: 'keep',
        baseUrl: server.url,
        caPems: [server.caPem ?? ''],
        allowLoopback: true,
      }),
    );
    decision = 'deny';
    try {
      const denied = await run(
        ['auth', 'oauth', 'keep', '--client-id', server.clientId, '--client-secret-stdin'].concat([
          '--port',
          String(port),
        ]),
        `${server.clientSecret}\n`,
      );
      expect(denied.code).toBe(1);
      expect(denied.json.error.code).toBe('OAUTH_ACCESS_DENIED');
      expect(lastPage).toContain('Sign-in failed');
      expect(lastPage).toContain('What to do next');
      expect(lastPage).not.toContain('You can close this window');
      expect(denied.stderr).toContain('The client id and secret are kept');
    } finally {
      decision = 'approve';
    }
    // Only a retry: no client id, no secret.
    const retried = await run(['auth', 'oauth', 'keep', '--port', String(port)]);
    expect(retried.code, retried.stdout).toBe(0);
    expect(retried.json).toMatchObject({
      ok: true,
      user: TEST_USER.name,
      clientId: server.clientId,
    });
    expect(lastPage).toContain('Signed in');
    expect(lastPage).toContain(TEST_USER.name);
  });

  it('asks for the client secret when none is stored or piped', async () => {
    const other = mkdtempSync(join(tmpdir(), 'oauth-cli-empty-'));
    try {
      openSettings(other).saveInstallation(
        newInstallation({ name: 'fresh', baseUrl: server.url, allowLoopback: true }),
      );
      let stdout = '';
      const code = await runCli(
        [
          'auth',
          'oauth',
          'fresh',
          '--client-id',
          'abc',
          '--client-secret-stdin',
          '--home',
          other,
          '--json',
        ],
        {
          stdout: { write: (text: string) => (stdout += text) },
          stderr: { write: () => true },
          stdin: PassThrough.from(['']),
          env: ENV,
          stopSignal: new AbortController().signal,
        },
        [command],
      );
      expect(code).toBe(1);
      expect(JSON.parse(stdout).error.code).toBe('OAUTH_CLIENT_SECRET_MISSING');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
