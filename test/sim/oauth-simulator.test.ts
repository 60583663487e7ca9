import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { connect, type PeerCertificate } from 'node:tls';
import type { Browser } from 'playwright-core';
import { fetch, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorization } from '../../core/auth/installation-authorization.js';
import { createOAuthAuthorization } from '../../core/auth/oauth/oauth-authorization.js';
import { bdcClientForInstallation } from '../../core/bdc/bdc-client.js';
import { DEFAULT_RELAY_SETTINGS } from '../../common/models/installation.js';
import { startLoopbackReceiver } from '../../core/auth/oauth/callback-receiver.js';
import { CUSTOM_REDIRECT_URI } from '../../core/auth/oauth/oauth-redirect.js';
import { signInWithOAuth } from '../../core/auth/oauth/oauth-sign-in.js';
import { createDispatcher } from '../../core/net/network-factory.js';
import { createMemorySecretStore } from '../../core/secrets/memory-store.js';
import { startSimulator } from '../../sim/index.js';
import { createOAuthProvider } from '../../sim/oauth/oauth-provider.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { launchChromiumTrusting } from '../core/auth/oauth/oauth-fixture.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The SPKI pin of the simulator's leaf, read over a verified TLS connection. */
async function leafSpki(sim: RunningSimulator): Promise<string> {
  const peer = await new Promise<PeerCertificate>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: sim.port, ca: sim.caPem }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
  const { X509Certificate } = await import('node:crypto');
  const der = new X509Certificate(peer.raw).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

describe('OAuth 2.0 through startSimulator', () => {
  let sim: RunningSimulator;
  let browser: Browser;
  let dispatcher: Dispatcher;
  let port: number;
  let clock = Date.now();

  beforeAll(async () => {
    port = await freePort();
    sim = await startSimulator({
      contextPath: '/bitbucket',
      platform: false,
      now: () => clock,
      oauthProvider: createOAuthProvider,
      oauthRedirectUris: [CUSTOM_REDIRECT_URI, `http://localhost:${port}/oauth/callback`],
    });
    browser = await launchChromiumTrusting(await leafSpki(sim));
    dispatcher = createDispatcher({
      caPems: [sim.caPem],
      addressPolicy: 'instance',
      allowLoopback: true,
      env: {},
    });
  });
  afterAll(async () => {
    await dispatcher?.close();
    await browser?.close();
    await sim?.close();
  });

  /** The user at the simulator's login + consent page; returns where the browser arrived. */
  async function consent(url: string): Promise<string> {
    const page = await browser.newPage();
    try {
      await page.goto(url);
      await page.fill('#j_username', sim.user.name);
      await page.fill('#j_password', sim.user.name);
      await Promise.all([page.waitForURL(/\/oauth\/callback\?/), page.click('#approve')]);
      return page.url();
    } finally {
      await page.close();
    }
  }

  it('signs in end to end in Chromium, then uses and refreshes the token on BDC REST', async () => {
    const secrets = createMemorySecretStore();
    let callbackCode = '';
    const result = await signInWithOAuth({
      installation: { id: 'sim-inst', baseUrl: sim.url },
      clientId: sim.oauthClientId,
      clientSecret: sim.oauthClientSecret,
      secrets,
      dispatcher,
      receiver: await startLoopbackReceiver(port),
      now: () => clock,
      openBrowser: async (url) => {
        callbackCode = new URL(await consent(url)).searchParams.get('code') ?? '';
      },
      timeoutMs: 20_000,
    });
    expect(result.user).toBe(sim.user.name);

    // The code was redeemed by the sign-in; presenting it again is refused as BDC does.
    const replay = await fetch(`${sim.url}/rest/oauth2/latest/token`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callbackCode,
        redirect_uri: `http://localhost:${port}/oauth/callback`,
        client_id: sim.oauthClientId,
        client_secret: sim.oauthClientSecret,
      }).toString(),
    });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('cache-control')).toBe('no-store, no-cache');
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });

    // The replay revoked the tokens of that code: sign in again for the REST part.
    const again = await signInWithOAuth({
      installation: { id: 'sim-inst', baseUrl: sim.url },
      clientId: sim.oauthClientId,
      clientSecret: sim.oauthClientSecret,
      secrets,
      dispatcher,
      receiver: await startLoopbackReceiver(port),
      now: () => clock,
      openBrowser: async (url) => {
        await consent(url);
      },
      timeoutMs: 20_000,
    });
    const authorization = createOAuthAuthorization(
      {
        id: 'sim-inst',
        baseUrl: sim.url,
        caPems: [sim.caPem],
        allowLoopback: true,
        auth: {
          kind: 'oauth',
          clientId: sim.oauthClientId,
          redirect: 'localhost',
          user: again.user,
        },
      },
      secrets,
      { dispatcher, now: () => clock, env: {} },
    );
    const projects = async (header: string) => {
      const response = await fetch(`${sim.url}/rest/api/1.0/projects?limit=1`, {
        dispatcher,
        headers: { authorization: header },
      });
      await response.arrayBuffer();
      return { status: response.status, user: response.headers.get('x-ausername') };
    };
    const first = await authorization.header();
    expect(await projects(first)).toEqual({ status: 200, user: sim.user.name });
    clock += 3600_000;
    // Expired tokens are served as anonymous by BDC.
    expect((await projects(first)).user).toBeNull();
    const second = await authorization.header();
    expect(second).not.toBe(first);
    expect(await projects(second)).toEqual({ status: 200, user: sim.user.name });
  });
  it('the REST client uses OAuth transparently: a 401 (client clock behind) refreshes once', async () => {
    const secrets = createMemorySecretStore();
    const clientClock = clock;
    const signedIn = await signInWithOAuth({
      installation: { id: 'sim-rest', baseUrl: sim.url },
      clientId: sim.oauthClientId,
      clientSecret: sim.oauthClientSecret,
      secrets,
      dispatcher,
      receiver: await startLoopbackReceiver(port),
      now: () => clientClock,
      openBrowser: async (url) => {
        await consent(url);
      },
      timeoutMs: 20_000,
    });
    const installation = {
      id: 'sim-rest',
      name: 'sim',
      baseUrl: sim.url,
      caPems: [sim.caPem],
      allowLoopback: true,
      platform: undefined,
      auth: {
        kind: 'oauth' as const,
        clientId: sim.oauthClientId,
        redirect: 'localhost' as const,
        user: signedIn.user,
      },
      relay: DEFAULT_RELAY_SETTINGS,
      createdAt: new Date(clientClock).toISOString(),
    };
    // The client's clock stands still while Bitbucket's moves past the token's hour.
    const authorization = await createAuthorization(installation, secrets, {
      now: () => clientClock,
      env: {},
    });
    const client = bdcClientForInstallation(installation, authorization, { env: {} });
    try {
      const before = await client.request<{ size: number }>({ path: '/rest/api/1.0/projects' });
      expect(before.user).toBe(sim.user.name);
      const oldHeader = await authorization.header();
      clock += 3600_000 + 1_000;
      // An endpoint anonymous callers cannot use: BDC serves an expired token as anonymous, so
      // only such an endpoint answers 401 (anonymous-allowed ones answer 200 without a user).
      const after = await client.request<{ size: number }>({
        path: '/rest/api/1.0/users',
        query: { limit: 1 },
      });
      expect(after.status).toBe(200);
      expect(after.user).toBe(sim.user.name);
      expect(await authorization.header()).not.toBe(oldHeader);
    } finally {
      await client.close();
    }
  });
  it('accepts HTTP Basic client authentication at the token endpoint (not taken for a login)', async () => {
    const basic = Buffer.from(`${sim.oauthClientId}:${sim.oauthClientSecret}`).toString('base64');
    const response = await fetch(`${sim.url}/rest/oauth2/latest/token`, {
      method: 'POST',
      dispatcher,
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'never-issued',
        redirect_uri: CUSTOM_REDIRECT_URI,
      }).toString(),
    });
    // The client authenticated; the code is unknown, which BDC reports as invalid_request.
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'Authorization code invalid',
    });
  });
});
