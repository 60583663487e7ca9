import { spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oauthTokensKey } from '../../core/auth/oauth/oauth-authorization.js';
import { CUSTOM_REDIRECT_URI } from '../../core/auth/oauth/oauth-redirect.js';
import { openSecretStore } from '../../core/secrets/open-secret-store.js';
import { newInstallation } from '../../core/settings/new-installation.js';
import { openSettings, settingsFilePath } from '../../core/settings/settings-file.js';
import { startSimulator } from '../../sim/index.js';
import { createOAuthProvider } from '../../sim/oauth/oauth-provider.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { launchChromiumTrusting } from '../core/auth/oauth/oauth-fixture.js';
import { binPath, repoRoot } from '../helpers/cli-harness.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function leafSpki(sim: RunningSimulator): Promise<string> {
  const peer = await new Promise<PeerCertificate>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: sim.port, ca: sim.caPem }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
  const der = new X509Certificate(peer.raw).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

const ENV = {
  BDC_COMPANION_SECRET_STORE: 'encrypted-file',
  BDC_COMPANION_SECRETS_PASSPHRASE: 'oauth-process-test-passphrase',
};

// The built CLI (`npm run build`) as a real process: what an admin runs on a headless server.
describe('bdc-companion auth oauth as a process, against the simulator, in Chromium', () => {
  let sim: RunningSimulator;
  let browser: Browser;
  let port: number;
  let home: string;

  beforeAll(async () => {
    port = await freePort();
    sim = await startSimulator({
      platform: false,
      oauthProvider: createOAuthProvider,
      oauthRedirectUris: [CUSTOM_REDIRECT_URI, `http://localhost:${port}/oauth/callback`],
    });
    browser = await launchChromiumTrusting(await leafSpki(sim));
    home = mkdtempSync(join(tmpdir(), 'oauth-process-'));
    openSettings(home).saveInstallation(
      newInstallation({
        name: 'sim',
        baseUrl: sim.url,
        caPems: [sim.caPem],
        allowLoopback: true,
      }),
    );
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('prints the URL, receives the browser on localhost, stores secrets only in the store', async () => {
    expect(existsSync(`${repoRoot}dist/cli/main.js`), 'run `npm run build` first').toBe(true);
    const child = spawn(
      process.execPath,
      [
        binPath,
        'auth',
        'oauth',
        'sim',
        '--client-id',
        sim.oauthClientId,
        '--client-secret-stdin',
        '--port',
        String(port),
        '--no-open',
        '--home',
        home,
        '--json',
      ],
      { env: { PATH: process.env['PATH'], HOME: home, ...ENV }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    // Listened for at once: the page now loads only when the sign-in has ended, and the process
    // may exit before the test is done reading it.
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdin.end(`${sim.oauthClientSecret}\n`);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /https:\/\/\S+\/rest\/oauth2\/latest\/authorize\?\S+/.exec(stderr);
        if (found) resolve(found[0]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    // While it waits, its command line carries no secret (what `ps` would show).
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    expect(cmdline).toContain('auth');
    expect(cmdline).not.toContain(sim.oauthClientSecret);

    const page = await browser.newPage();
    await page.goto(url);
    await page.fill('#j_username', sim.user.name);
    await page.fill('#j_password', sim.user.name);
    await Promise.all([page.waitForURL(/\/oauth\/callback\?/), page.click('#approve')]);
    expect(await page.textContent('body')).toContain(`signed in to Bitbucket as ${sim.user.name}`);
    await page.close();

    const code = await closed;
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      ok: true,
      user: sim.user.name,
      secretStore: 'encrypted-file',
    });

    const installation = openSettings(home).requireInstallation('sim');
    const secrets = await openSecretStore({ home, env: ENV });
    const tokens = JSON.parse((await secrets.get(oauthTokensKey(installation.id))) ?? '{}');
    for (const secret of [sim.oauthClientSecret, tokens.accessToken, tokens.refreshToken]) {
      expect(typeof secret).toBe('string');
      expect(stdout + stderr).not.toContain(secret);
      expect(readFileSync(settingsFilePath(home), 'utf8')).not.toContain(secret);
    }
  });
});
