import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionError } from '../../../../common/errors/companion-error.js';
import {
  beginAuthorization,
  readCallback,
} from '../../../../core/auth/oauth/authorization-request.js';
import { startLoopbackReceiver } from '../../../../core/auth/oauth/callback-receiver.js';
import { redeemCode } from '../../../../core/auth/oauth/token-client.js';
import { parseTokenSet } from '../../../../core/auth/oauth/oauth-token-set.js';
import { CUSTOM_REDIRECT_URI } from '../../../../core/auth/oauth/oauth-redirect.js';
import {
  prepareOAuthSignIn,
  signInWithOAuth,
  type OAuthSignInOptions,
} from '../../../../core/auth/oauth/oauth-sign-in.js';
import { createMemorySecretStore } from '../../../../core/secrets/memory-store.js';
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

/** Drives the Bitbucket login + consent page the way a user would. */
async function consentInBrowser(browser: Browser, url: string): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.fill('#j_username', TEST_USER.name);
    await page.fill('#j_password', TEST_USER.name);
    const [redirect] = await Promise.all([
      page.waitForResponse((r) => r.status() === 302),
      page.click('#approve'),
    ]);
    const location = (await redirect.headerValue('location')) ?? '';
    await page.waitForLoadState().catch(() => undefined);
    return location;
  } finally {
    await page.close();
  }
}

function expectNoSecrets(error: unknown, secrets: readonly string[]): void {
  const text = JSON.stringify(error instanceof CompanionError ? error.toJSON() : String(error));
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('OAuth sign-in against the simulated provider', () => {
  let server: OAuthTestServer;
  let browser: Browser;
  let dispatcher: Dispatcher;
  let port: number;
  const installation = { id: 'inst-1', baseUrl: '' };

  beforeAll(async () => {
    port = await freePort();
    server = await startOAuthTestServer({
      tls: true,
      contextPath: '/bitbucket',
      redirectUris: [CUSTOM_REDIRECT_URI, `http://localhost:${port}/oauth/callback`],
    });
    installation.baseUrl = server.url;
    dispatcher = productDispatcher(server);
    browser = await launchChromiumTrusting(server.spki);
  });
  afterAll(async () => {
    await browser.close();
    await dispatcher.close();
    await server.close();
  });

  function options(overrides: Partial<OAuthSignInOptions> = {}): OAuthSignInOptions {
    return {
      installation,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      redirectUri: CUSTOM_REDIRECT_URI,
      secrets: createMemorySecretStore(),
      dispatcher,
      ...overrides,
    };
  }

  it('completes in Chromium through login and consent to the localhost listener, with PKCE', async () => {
    const secrets = createMemorySecretStore();
    let authorizationUrl = '';
    const result = await signInWithOAuth({
      installation,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      secrets,
      dispatcher,
      receiver: await startLoopbackReceiver(port),
      onAuthorizationUrl: (url) => {
        authorizationUrl = url;
      },
      openBrowser: async (url) => {
        await consentInBrowser(browser, url);
      },
      timeoutMs: 20_000,
    });
    expect(result).toMatchObject({
      user: TEST_USER.name,
      redirectUri: `http://localhost:${port}/oauth/callback`,
      scope: 'PUBLIC_REPOS REPO_READ REPO_WRITE',
    });
    const query = new URL(authorizationUrl).searchParams;
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(query.get('state')).toMatch(/^[\w-]{20,}$/);
    const stored = parseTokenSet(
      (await secrets.get({ installationId: 'inst-1', kind: 'oauth-tokens' })) ?? '',
    );
    expect(server.provider.authenticateBearer(stored.accessToken)?.user).toBe(TEST_USER.name);
    expect(await secrets.get({ installationId: 'inst-1', kind: 'oauth-client-secret' })).toBe(
      server.clientSecret,
    );
    expect(server.requests).toContain('POST /bitbucket/rest/oauth2/latest/token');
  });

  it('refuses a callback whose state is not ours, and stores nothing', async () => {
    const secrets = createMemorySecretStore();
    const signIn = await prepareOAuthSignIn(options({ secrets }));
    const location = await consentInBrowser(browser, signIn.authorizationUrl);
    const forged = new URL(location);
    forged.searchParams.set('state', 'attacker-state');
    await expect(signIn.complete(forged.toString())).rejects.toMatchObject({
      code: 'OAUTH_STATE_MISMATCH',
    });
    await expect(
      signIn.complete('https://evil.example/oauth/callback?code=x'),
    ).rejects.toMatchObject({ code: 'OAUTH_CALLBACK_INVALID' });
    expect(secrets.size()).toBe(0);
    // The genuine callback still works: the refusals did not consume the sign-in.
    await expect(signIn.complete(` "${location}" `)).resolves.toMatchObject({ user: 'admin' });
  });

  it('refuses a replayed callback, and Bitbucket refuses a replayed code', async () => {
    const signIn = await prepareOAuthSignIn(options());
    const location = await consentInBrowser(browser, signIn.authorizationUrl);
    await signIn.complete(location);
    const replay = await signIn.complete(location).catch((error: unknown) => error);
    expect(replay).toMatchObject({ code: 'OAUTH_CALLBACK_REPLAYED' });

    // A second sign-in object that receives the same code (e.g. a leaked URL) hits the server rule.
    const other = await prepareOAuthSignIn(options());
    const code = new URL(location).searchParams.get('code') ?? '';
    const stolen = new URL(CUSTOM_REDIRECT_URI);
    stolen.searchParams.set('code', code);
    stolen.searchParams.set(
      'state',
      new URL(other.authorizationUrl).searchParams.get('state') ?? '',
    );
    const error = await other.complete(stolen.toString()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OAUTH_CODE_REJECTED' });
    expect((error as CompanionError).hint).toContain(CUSTOM_REDIRECT_URI);
    expect((error as CompanionError).message).toContain('invalid_grant');
  });

  it('a PKCE verifier that does not match the challenge is refused by Bitbucket', async () => {
    const pending = await beginAuthorization({
      baseUrl: server.url,
      clientId: server.clientId,
      redirectUri: CUSTOM_REDIRECT_URI,
      scopes: ['REPO_READ'],
      now: 0,
    });
    const location = await consentInBrowser(browser, pending.authorizationUrl);
    const params = readCallback(pending, location);
    const context = {
      baseUrl: server.url,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      dispatcher,
    };
    const other = {
      ...pending,
      codeVerifier: (
        await beginAuthorization({ ...pending, baseUrl: server.url, scopes: [], now: 0 })
      ).codeVerifier,
    };
    await expect(redeemCode(context, other, params)).rejects.toMatchObject({
      code: 'OAUTH_CODE_REJECTED',
    });
  });

  it('reports an unregistered redirect URI before the browser opens, naming the URI', async () => {
    const wrong = 'http://localhost:1/oauth/callback';
    const error = await prepareOAuthSignIn(options({ redirectUri: wrong })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'OAUTH_AUTHORIZE_REJECTED' });
    expect((error as CompanionError).message).toContain(wrong);
    expect((error as CompanionError).hint).toContain(wrong);
    const unknownClient = await prepareOAuthSignIn(options({ clientId: 'no-such-client' })).catch(
      (e: unknown) => e,
    );
    expect(unknownClient).toMatchObject({ code: 'OAUTH_AUTHORIZE_REJECTED' });
  });

  it('finds a wrong client secret before the browser (issue 16 item 6), without the secret, storing nothing', async () => {
    const secrets = createMemorySecretStore();
    const wrongSecret = 'wrong-secret-value-0123456789';
    // Before: prepare succeeded and the secret was refused only after login and consent.
    const error = await prepareOAuthSignIn(options({ secrets, clientSecret: wrongSecret })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'OAUTH_CLIENT_REJECTED',
      data: { checkedBeforeBrowser: true },
    });
    expect((error as Error).message).toContain('64 hex digits');
    expectNoSecrets(error, [wrongSecret, server.clientSecret]);
    expect(secrets.size()).toBe(0);
    const right = await prepareOAuthSignIn(options({ secrets }));
    expect(right.clientCheck).toEqual({ kind: 'accepted' });
  });

  it('refuses a client secret that cannot be one before asking Bitbucket', async () => {
    for (const clientSecret of ['two words', 'line\nbreak', server.clientId]) {
      const error = await prepareOAuthSignIn(options({ clientSecret })).catch((e: unknown) => e);
      expect(error, clientSecret).toMatchObject({ code: 'OAUTH_CLIENT_SECRET_MALFORMED' });
    }
  });

  it('maps a scope above the link maximum to OAUTH_SCOPE_REJECTED before the browser opens', async () => {
    const narrow = await startOAuthTestServer({ tls: true, scopes: ['PUBLIC_REPOS', 'REPO_READ'] });
    const narrowDispatcher = productDispatcher(narrow);
    try {
      const error = await prepareOAuthSignIn({
        ...options(),
        installation: { id: 'inst-2', baseUrl: narrow.url },
        clientId: narrow.clientId,
        clientSecret: narrow.clientSecret,
        dispatcher: narrowDispatcher,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'OAUTH_SCOPE_REJECTED' });
    } finally {
      await narrowDispatcher.close();
      await narrow.close();
    }
  });

  it('times out with the redirect URI to register when the browser never comes back', async () => {
    const error = await signInWithOAuth({
      ...options(),
      receiver: await startLoopbackReceiver(port),
      openBrowser: async () => undefined,
      timeoutMs: 150,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OAUTH_CALLBACK_TIMEOUT' });
    expect((error as CompanionError).hint).toContain(`http://localhost:${port}/oauth/callback`);
  });

  it('explains an expired code (redeemed too late)', async () => {
    const signIn = await prepareOAuthSignIn(options());
    const location = await consentInBrowser(browser, signIn.authorizationUrl);
    server.advance(120_000);
    await expect(signIn.complete(location)).rejects.toMatchObject({ code: 'OAUTH_CODE_EXPIRED' });
  });
});

describe('OAuth traffic goes through the product network factory', () => {
  it('obeys the instance address policy (loopback refused without the development setting)', async () => {
    const server = await startOAuthTestServer({ tls: true });
    const { createDispatcher } = await import('../../../../core/net/network-factory.js');
    const strict = createDispatcher({
      caPems: [server.caPem ?? ''],
      addressPolicy: 'instance',
      allowLoopback: false,
      env: {},
    });
    try {
      const error = await prepareOAuthSignIn({
        installation: { id: 'inst-3', baseUrl: server.url },
        clientId: server.clientId,
        clientSecret: server.clientSecret,
        redirectUri: CUSTOM_REDIRECT_URI,
        secrets: createMemorySecretStore(),
        dispatcher: strict,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CompanionError);
      expect((error as CompanionError).code).toBe('INSTANCE_ADDRESS_FORBIDDEN');
      expect(server.requests).toEqual([]);
    } finally {
      await strict.close();
      await server.close();
    }
  });
});
