import { fetch, type Dispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Installation } from '../../../../common/models/installation.js';
import { DEFAULT_RELAY_SETTINGS } from '../../../../common/models/installation.js';
import {
  createOAuthAuthorization,
  oauthTokensKey,
} from '../../../../core/auth/oauth/oauth-authorization.js';
import { CUSTOM_REDIRECT_URI } from '../../../../core/auth/oauth/oauth-redirect.js';
import { prepareOAuthSignIn } from '../../../../core/auth/oauth/oauth-sign-in.js';
import {
  oauthSignInSummary,
  revokeOAuthTokens,
} from '../../../../core/auth/oauth/oauth-sign-out.js';
import { parseTokenSet } from '../../../../core/auth/oauth/oauth-token-set.js';
import { createMemorySecretStore } from '../../../../core/secrets/memory-store.js';
import type { SecretKey, SecretStore } from '../../../../core/secrets/secret-store.js';
import {
  productDispatcher,
  startOAuthTestServer,
  TEST_USER,
  type OAuthTestServer,
} from './oauth-fixture.js';

/** The browser's part over plain HTTP (the Chromium path is proven in oauth-sign-in.test.ts). */
async function consentByForm(
  server: OAuthTestServer,
  url: string,
  ca: Dispatcher,
): Promise<string> {
  const page = await fetch(url, { dispatcher: ca });
  const requestId = /name="request_id" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const posted = await fetch(`${server.url}/rest/oauth2/latest/authorize`, {
    method: 'POST',
    redirect: 'manual',
    dispatcher: ca,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      request_id: requestId,
      username: TEST_USER.name,
      password: TEST_USER.name,
      decision: 'allow',
    }).toString(),
  });
  return posted.headers.get('location') ?? '';
}

describe('OAuth Authorization (header, refresh, rotation)', () => {
  let server: OAuthTestServer;
  let dispatcher: Dispatcher;
  let clock: number;
  let installation: Installation;

  beforeAll(async () => {
    server = await startOAuthTestServer({ tls: true });
    dispatcher = productDispatcher(server);
  });
  afterAll(async () => {
    await dispatcher.close();
    await server.close();
  });
  beforeEach(() => {
    clock = 1_000_000;
    installation = {
      id: `inst-${Math.random().toString(36).slice(2)}`,
      name: 'prod',
      baseUrl: server.url,
      caPems: [server.caPem ?? ''],
      allowLoopback: true,
      platform: undefined,
      auth: { kind: 'oauth', clientId: server.clientId, redirect: 'custom', user: TEST_USER.name },
      relay: DEFAULT_RELAY_SETTINGS,
      createdAt: '2026-11-28T00:00:00.000Z',
    };
  });

  const now = (): number => clock;
  function advance(ms: number): void {
    clock += ms;
    server.advance(ms);
  }

  async function signIn(secrets: SecretStore): Promise<void> {
    const prepared = await prepareOAuthSignIn({
      installation,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      redirectUri: CUSTOM_REDIRECT_URI,
      secrets,
      dispatcher,
      now,
    });
    await prepared.complete(await consentByForm(server, prepared.authorizationUrl, dispatcher));
  }

  async function stored(secrets: SecretStore) {
    return parseTokenSet((await secrets.get(oauthTokensKey(installation.id))) ?? '');
  }

  /** A REST call as the REST client makes it: status and who BDC says we are. */
  async function whoAmI(header: string): Promise<{ status: number; user: string | null }> {
    const response = await fetch(`${server.url}/rest/api/1.0/users?limit=1`, {
      dispatcher,
      headers: { authorization: header },
    });
    await response.arrayBuffer();
    return { status: response.status, user: response.headers.get('x-ausername') };
  }

  const tokenPosts = (): number =>
    server.requests.filter((line) => line === 'POST /rest/oauth2/latest/token').length;

  it('refreshes an expired access token without the caller noticing', async () => {
    const secrets = createMemorySecretStore();
    await signIn(secrets);
    const authorization = createOAuthAuthorization(installation, secrets, {
      dispatcher,
      now,
      env: {},
    });
    expect(authorization.user).toBe(TEST_USER.name);
    const first = await authorization.header();
    expect(await whoAmI(first)).toEqual({ status: 200, user: TEST_USER.name });

    advance(3600_000);
    expect((await whoAmI(first)).status).toBe(401);
    const posts = tokenPosts();
    const second = await authorization.header();
    expect(second).not.toBe(first);
    expect(tokenPosts()).toBe(posts + 1);
    expect(await whoAmI(second)).toEqual({ status: 200, user: TEST_USER.name });
    // The rotated set was saved: a restarted process uses it without refreshing again.
    expect(`Bearer ${(await stored(secrets)).accessToken}`).toBe(second);
  });

  it('refreshes a minute before expiry, once for many concurrent callers', async () => {
    const secrets = createMemorySecretStore();
    await signIn(secrets);
    const authorization = createOAuthAuthorization(installation, secrets, {
      dispatcher,
      now,
      env: {},
    });
    const before = await authorization.header();
    advance(3540_000 - 1);
    expect(await authorization.header()).toBe(before);
    advance(1);
    const posts = tokenPosts();
    const headers = await Promise.all(Array.from({ length: 8 }, () => authorization.header()));
    expect(new Set(headers).size).toBe(1);
    expect(headers[0]).not.toBe(before);
    expect(tokenPosts()).toBe(posts + 1);
  });

  it('refresh() after a 401 gets a new token (revoked server-side)', async () => {
    const secrets = createMemorySecretStore();
    await signIn(secrets);
    const authorization = createOAuthAuthorization(installation, secrets, {
      dispatcher,
      now,
      env: {},
    });
    const old = await authorization.header();
    const revoke = await fetch(`${server.url}/rest/oauth2/latest/revoke`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: old.slice('Bearer '.length),
        client_id: server.clientId,
        client_secret: server.clientSecret,
      }).toString(),
    });
    expect(revoke.status).toBe(200);
    expect((await whoAmI(old)).status).toBe(401);
    // Revoking the access token also removed its refresh token: refresh must fail clearly.
    await expect(authorization.refresh()).rejects.toMatchObject({ code: 'OAUTH_REFRESH_REJECTED' });
  });

  it('refresh() replaces a token BDC refused, and later 401s share that refresh', async () => {
    const secrets = createMemorySecretStore();
    await signIn(secrets);
    const authorization = createOAuthAuthorization(installation, secrets, {
      dispatcher,
      now,
      env: {},
    });
    const old = await authorization.header();
    const posts = tokenPosts();
    expect(await Promise.all([authorization.refresh(), authorization.refresh()])).toEqual([
      true,
      true,
    ]);
    expect(await authorization.refresh()).toBe(true);
    expect(tokenPosts()).toBe(posts + 1);
    const fresh = await authorization.header();
    expect(fresh).not.toBe(old);
    expect((await whoAmI(fresh)).status).toBe(200);
  });

  it('reports refresh-token reuse (a stale stored set) as OAUTH_REFRESH_REJECTED', async () => {
    const secrets = createMemorySecretStore();
    await signIn(secrets);
    const staleCopy = await secrets.get(oauthTokensKey(installation.id));
    const first = createOAuthAuthorization(installation, secrets, { dispatcher, now, env: {} });
    advance(3600_000);
    await first.header();
    // Restore the pre-rotation set (a backup, another machine): its refresh token is spent.
    await secrets.set(oauthTokensKey(installation.id), staleCopy ?? '');
    const second = createOAuthAuthorization(installation, secrets, { dispatcher, now, env: {} });
    const error = await second.header().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OAUTH_REFRESH_REJECTED' });
    const text = JSON.stringify(error);
    expect(text).not.toContain(JSON.parse(staleCopy ?? '{}').refreshToken);
    expect(text).not.toContain(server.clientSecret);
  });

  it('adopts a set another process rotated instead of replaying the spent refresh token', async () => {
    const secrets = createMemorySecretStore();
    await signIn(secrets);
    const daemon = createOAuthAuthorization(installation, secrets, { dispatcher, now, env: {} });
    const cli = createOAuthAuthorization(installation, secrets, { dispatcher, now, env: {} });
    await daemon.header();
    await cli.header();
    advance(3600_000);
    const fromDaemon = await daemon.header();
    const posts = tokenPosts();
    const fromCli = await cli.header();
    expect(fromCli).toBe(fromDaemon);
    expect(tokenPosts()).toBe(posts);
  });

  it('two processes refreshing the same token at once both end up with the live set', async () => {
    const secrets = createMemorySecretStore();
    await signIn(secrets);
    const daemon = createOAuthAuthorization(installation, secrets, { dispatcher, now, env: {} });
    const cli = createOAuthAuthorization(installation, secrets, { dispatcher, now, env: {} });
    await Promise.all([daemon.header(), cli.header()]);
    advance(3600_000);
    const [a, b] = await Promise.all([daemon.header(), cli.header()]);
    expect(a).toBe(b);
    expect(await whoAmI(a)).toEqual({ status: 200, user: TEST_USER.name });
    expect(`Bearer ${(await stored(secrets)).accessToken}`).toBe(a);
  });

  it('saves the rotated set before using it, and keeps it when the save fails', async () => {
    const inner = createMemorySecretStore();
    await signIn(inner);
    const events: string[] = [];
    let failWrites = 0;
    const recording: SecretStore = {
      ...inner,
      get: (key: SecretKey) => inner.get(key),
      delete: (key: SecretKey) => inner.delete(key),
      async set(key, value) {
        if (failWrites > 0) {
          failWrites -= 1;
          events.push('set-failed');
          throw new Error('keychain locked');
        }
        events.push(`set:${parseTokenSet(value).accessToken.slice(-8)}`);
        await inner.set(key, value);
      },
    };
    const authorization = createOAuthAuthorization(installation, recording, {
      dispatcher,
      now,
      env: {},
    });
    advance(3600_000);
    const header = await authorization.header();
    expect(events).toEqual([`set:${header.slice(-8)}`]);
    // A process that dies right after header() returned loses nothing: the store has this set.
    const restarted = createOAuthAuthorization(installation, inner, { dispatcher, now, env: {} });
    expect(await restarted.header()).toBe(header);

    // The keychain refuses both writes of the next rotation: the sign-in lives on in memory ...
    advance(3600_000);
    failWrites = 2;
    const kept = await authorization.header();
    expect((await whoAmI(kept)).status).toBe(200);
    expect(events.slice(-2)).toEqual(['set-failed', 'set-failed']);
    // ... and is written as soon as the keychain works again.
    await authorization.header();
    expect(`Bearer ${(await stored(inner)).accessToken}`).toBe(kept);
  });

  it('says not signed in when no tokens are stored', async () => {
    const authorization = createOAuthAuthorization(installation, createMemorySecretStore(), {
      dispatcher,
      now,
      env: {},
    });
    await expect(authorization.header()).rejects.toMatchObject({ code: 'AUTH_NOT_SIGNED_IN' });
  });
});

describe('OAuth sign-in summary and revocation', () => {
  it('summarises without tokens, and revocation makes the tokens useless at BDC', async () => {
    const server = await startOAuthTestServer({ tls: true });
    const dispatcher = productDispatcher(server);
    const secrets = createMemorySecretStore();
    const installation = { id: 'inst-revoke', baseUrl: server.url };
    try {
      const prepared = await prepareOAuthSignIn({
        installation,
        clientId: server.clientId,
        clientSecret: server.clientSecret,
        redirectUri: CUSTOM_REDIRECT_URI,
        secrets,
        dispatcher,
      });
      await prepared.complete(await consentByForm(server, prepared.authorizationUrl, dispatcher));
      const summary = await oauthSignInSummary(secrets, installation.id);
      expect(summary).toMatchObject({ user: TEST_USER.name, refreshable: true });
      const set = parseTokenSet((await secrets.get(oauthTokensKey(installation.id))) ?? '');
      expect(JSON.stringify(summary)).not.toContain(set.accessToken);
      expect(server.provider.authenticateBearer(set.accessToken)).toBeDefined();
      expect(await revokeOAuthTokens(installation, secrets, dispatcher)).toBe(true);
      expect(server.provider.authenticateBearer(set.accessToken)).toBeUndefined();
      expect(await oauthSignInSummary(createMemorySecretStore(), installation.id)).toBeUndefined();
    } finally {
      await dispatcher.close();
      await server.close();
    }
  });
});
