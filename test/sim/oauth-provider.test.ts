import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthProvider } from '../../sim/oauth/oauth-provider.js';
import {
  launchChromiumTrusting,
  startOAuthTestServer,
  TEST_USER,
  type OAuthTestServer,
} from '../core/auth/oauth/oauth-fixture.js';

const CUSTOM = 'io.ankra.bdc-companion:/oauth/callback';
const VERIFIER = 'x'.repeat(20) + '-._~' + 'Verifier0123456789abcdefABCDEF';
const S256 = createHash('sha256').update(VERIFIER).digest('base64url');

interface Authorized {
  readonly code: string;
  readonly state: string | null;
  readonly location: URL;
}

/** The browser's part done with plain HTTP: GET the page, POST its form, read the redirect. */
async function authorizeByForm(
  server: OAuthTestServer,
  params: Record<string, string>,
  decision: 'allow' | 'deny' = 'allow',
): Promise<Authorized> {
  const query = new URLSearchParams({
    client_id: server.clientId,
    redirect_uri: CUSTOM,
    response_type: 'code',
    scope: 'REPO_WRITE',
    state: 'st-1',
    ...params,
  });
  const page = await fetch(`${server.url}/rest/oauth2/latest/authorize?${query}`, {
    redirect: 'manual',
  });
  expect(page.status).toBe(200);
  const html = await page.text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const posted = await fetch(`${server.url}/rest/oauth2/latest/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      request_id: requestId,
      username: TEST_USER.name,
      password: TEST_USER.name,
      decision,
    }).toString(),
  });
  expect(posted.status).toBe(302);
  const location = new URL(posted.headers.get('location') ?? '');
  return {
    code: location.searchParams.get('code') ?? '',
    state: location.searchParams.get('state'),
    location,
  };
}

async function tokenRequest(
  server: OAuthTestServer,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; cacheControl: string | null }> {
  const response = await fetch(`${server.url}/rest/oauth2/latest/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    cacheControl: response.headers.get('cache-control'),
  };
}

function codeForm(server: OAuthTestServer, code: string, extra: Record<string, string> = {}) {
  return {
    grant_type: 'authorization_code',
    code,
    redirect_uri: CUSTOM,
    client_id: server.clientId,
    client_secret: server.clientSecret,
    code_verifier: VERIFIER,
    ...extra,
  };
}

const pkce = { code_challenge: S256, code_challenge_method: 'S256' };

describe('simulated BDC OAuth 2.0 provider', () => {
  let server: OAuthTestServer;

  beforeAll(async () => {
    server = await startOAuthTestServer({ contextPath: '/bitbucket' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses to register http://127.0.0.1 redirect URIs, as BDC does', () => {
    const register = (uri: string) =>
      createOAuthProvider({
        now: Date.now,
        findUser: () => undefined,
        clients: [{ clientId: 'c', clientSecret: 's', redirectUris: [uri] }],
      });
    expect(() => register('http://127.0.0.1:47615/oauth/callback')).toThrow(/HTTPS/);
    expect(() => register('https://app.example/cb#frag')).toThrow(/fragment/);
    expect(() => register(CUSTOM)).not.toThrow();
    expect(() => register('http://localhost:47615/oauth/callback')).not.toThrow();
  });

  it('shows its own error page, without redirecting, for a bad client or redirect URI', async () => {
    const cases: Record<string, string>[] = [
      { client_id: 'unknown-client' },
      { redirect_uri: 'io.ankra.bdc-companion:/other' },
      { redirect_uri: 'http://127.0.0.1:47615/oauth/callback' },
      { redirect_uri: 'http://localhost:47616/oauth/callback' },
      { scope: '' },
    ];
    for (const params of cases) {
      const query = new URLSearchParams({
        client_id: server.clientId,
        redirect_uri: CUSTOM,
        response_type: 'code',
        scope: 'REPO_READ',
        state: 's',
        ...params,
      });
      const response = await fetch(`${server.url}/rest/oauth2/latest/authorize?${query}`, {
        redirect: 'manual',
      });
      expect(response.status, JSON.stringify(params)).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('data-error="invalid_request"');
    }
  });

  it('redirects scope and response-type errors back to the client with the state', async () => {
    const scope = await fetch(
      `${server.url}/rest/oauth2/latest/authorize?${new URLSearchParams({
        client_id: server.clientId,
        redirect_uri: CUSTOM,
        response_type: 'code',
        scope: 'REPO_WRITE NOT_A_SCOPE',
        state: 'abc',
      })}`,
      { redirect: 'manual' },
    );
    expect(scope.status).toBe(302);
    const location = new URL(scope.headers.get('location') ?? '');
    expect(`${location.protocol}${location.pathname}`).toBe(CUSTOM);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('state')).toBe('abc');

    const type = await fetch(
      `${server.url}/rest/oauth2/latest/authorize?${new URLSearchParams({
        client_id: server.clientId,
        redirect_uri: CUSTOM,
        response_type: 'token',
        scope: 'REPO_READ',
      })}`,
      { redirect: 'manual' },
    );
    expect(new URL(type.headers.get('location') ?? '').searchParams.get('error')).toBe(
      'unsupported_response_type',
    );
  });

  it('redeems a code once; a replay fails with invalid_grant and revokes its tokens', async () => {
    const { code, state } = await authorizeByForm(server, pkce);
    expect(state).toBe('st-1');
    const first = await tokenRequest(server, codeForm(server, code));
    expect(first.status).toBe(200);
    expect(first.cacheControl).toBe('no-store, no-cache');
    expect(first.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      scope: 'REPO_WRITE',
    });
    const access = String(first.body['access_token']);
    expect(server.provider.authenticateBearer(access)).toEqual({
      user: TEST_USER.name,
      scopes: ['REPO_WRITE'],
    });

    const replay = await tokenRequest(server, codeForm(server, code));
    expect(replay.status).toBe(400);
    expect(replay.body['error']).toBe('invalid_grant');
    expect(replay.cacheControl).toBe('no-store, no-cache');
    expect(server.provider.authenticateBearer(access)).toBeUndefined();
    const refresh = await tokenRequest(server, {
      grant_type: 'refresh_token',
      refresh_token: String(first.body['refresh_token']),
      client_id: server.clientId,
      client_secret: server.clientSecret,
    });
    expect(refresh.body['error']).toBe('invalid_grant');
  });

  it('always requires the client secret, by form or HTTP Basic', async () => {
    const { code } = await authorizeByForm(server, pkce);
    const wrong = await tokenRequest(server, codeForm(server, code, { client_secret: 'nope' }));
    expect(wrong.status).toBe(401);
    expect(wrong.body['error']).toBe('invalid_client');
    const { client_secret: _omitted, ...withoutSecret } = codeForm(server, code);
    const missing = await tokenRequest(server, withoutSecret);
    expect(missing.body['error']).toBe('invalid_client');
    const { client_id: _id, ...basicForm } = withoutSecret;
    const basic = Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64');
    const ok = await tokenRequest(server, basicForm, { authorization: `Basic ${basic}` });
    expect(ok.status).toBe(200);
  });

  it('checks PKCE: S256, and plain when the method is omitted', async () => {
    const s256 = await authorizeByForm(server, pkce);
    const wrongVerifier = await tokenRequest(
      server,
      codeForm(server, s256.code, { code_verifier: VERIFIER.replace('x', 'y') }),
    );
    expect(wrongVerifier.status).toBe(400);
    expect(wrongVerifier.body['error']).toBe('invalid_grant');
    const { code_verifier: _v, ...noVerifier } = codeForm(server, s256.code);
    expect((await tokenRequest(server, noVerifier)).body['error']).toBe('invalid_grant');

    const plain = await authorizeByForm(server, { code_challenge: VERIFIER });
    // The S256 transform of the verifier is not the plain challenge.
    const hashed = await tokenRequest(
      server,
      codeForm(server, plain.code, { code_verifier: S256 }),
    );
    expect(hashed.body['error']).toBe('invalid_grant');
    expect((await tokenRequest(server, codeForm(server, plain.code))).status).toBe(200);
  });

  it('refuses a redirect URI other than the authorization request used', async () => {
    const { code } = await authorizeByForm(server, pkce);
    const other = await tokenRequest(
      server,
      codeForm(server, code, { redirect_uri: 'http://localhost:47615/oauth/callback' }),
    );
    expect(other.body['error']).toBe('invalid_grant');
  });

  it('rotates refresh tokens; reusing an old one fails with invalid_grant', async () => {
    const { code } = await authorizeByForm(server, pkce);
    const issued = await tokenRequest(server, codeForm(server, code));
    const refreshForm = (token: unknown) => ({
      grant_type: 'refresh_token',
      refresh_token: String(token),
      client_id: server.clientId,
      client_secret: server.clientSecret,
    });
    const rotated = await tokenRequest(server, refreshForm(issued.body['refresh_token']));
    expect(rotated.status).toBe(200);
    expect(rotated.body['refresh_token']).not.toBe(issued.body['refresh_token']);
    // Rotation deletes the old access token along with the old refresh token.
    expect(server.provider.authenticateBearer(String(issued.body['access_token']))).toBeUndefined();
    expect(server.provider.authenticateBearer(String(rotated.body['access_token']))).toBeDefined();
    const reuse = await tokenRequest(server, refreshForm(issued.body['refresh_token']));
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error: 'invalid_grant' });
    expect(typeof reuse.body['error_description']).toBe('string');
  });

  it('expires codes, access tokens and refresh tokens on the injected clock', async () => {
    const late = await authorizeByForm(server, pkce);
    server.advance(61_000);
    const expired = await tokenRequest(server, codeForm(server, late.code));
    expect(expired.body).toMatchObject({
      error: 'invalid_request',
      error_description: 'Authorization code invalid',
    });

    const { code } = await authorizeByForm(server, pkce);
    const issued = await tokenRequest(server, codeForm(server, code));
    const access = String(issued.body['access_token']);
    server.advance(3599_000);
    expect(server.provider.authenticateBearer(access)).toBeDefined();
    server.advance(1_000);
    expect(server.provider.authenticateBearer(access)).toBeUndefined();
    server.advance(90 * 24 * 3600 * 1000);
    const stale = await tokenRequest(server, {
      grant_type: 'refresh_token',
      refresh_token: String(issued.body['refresh_token']),
      client_id: server.clientId,
      client_secret: server.clientSecret,
    });
    expect(stale.body['error']).toBe('invalid_grant');
  });

  it('answers Deny with access_denied on the redirect', async () => {
    const denied = await authorizeByForm(server, pkce, 'deny');
    expect(denied.location.searchParams.get('error')).toBe('access_denied');
    expect(denied.state).toBe('st-1');
    expect(denied.code).toBe('');
  });

  it('publishes RFC 8414 metadata under the context path, anonymously', async () => {
    const response = await fetch(
      `${server.url}/rest/oauth2/latest/.well-known/oauth-authorization-server`,
    );
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: server.url,
      authorization_endpoint: `${server.url}/rest/oauth2/latest/authorize`,
      token_endpoint: `${server.url}/rest/oauth2/latest/token`,
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['plain', 'S256'],
    });
  });

  it('checks the grant before the client at the token endpoint, as BDC does', async () => {
    // BDC's GrantValidator: a made-up refresh token is invalid_grant whatever the secret, so the
    // token endpoint cannot tell a wrong secret without a real grant (docs/oauth-provider-facts.md).
    for (const secret of [server.clientSecret, 'not-the-secret']) {
      const made = await tokenRequest(server, {
        grant_type: 'refresh_token',
        refresh_token: 'made-up',
        client_id: server.clientId,
        client_secret: secret,
      });
      expect(made.body['error'], secret).toBe('invalid_grant');
    }
  });

  it('revoke checks the client first (form fields only) and answers 200 for an unknown token', async () => {
    const revoke = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
      const response = await fetch(`${server.url}/rest/oauth2/latest/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      });
      const text = await response.text();
      return {
        status: response.status,
        error: text ? (JSON.parse(text) as { error?: string }).error : undefined,
      };
    };
    const token = 'f'.repeat(48);
    expect(
      await revoke({ token, client_id: server.clientId, client_secret: server.clientSecret }),
    ).toEqual({
      status: 200,
      error: undefined,
    });
    expect(await revoke({ token, client_id: server.clientId, client_secret: 'nope' })).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    // The client before the token: a wrong secret is invalid_client even without a token.
    expect((await revoke({ client_id: server.clientId, client_secret: 'nope' })).error).toBe(
      'invalid_client',
    );
    const basic = Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64');
    expect((await revoke({ token }, { authorization: `Basic ${basic}` })).error).toBe(
      'invalid_request',
    );
  });

  it('reports missing token parameters and unknown grant types', async () => {
    const missing = await tokenRequest(server, { grant_type: 'authorization_code' });
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
    const unknown = await tokenRequest(server, { grant_type: 'password' });
    expect(unknown.body).toMatchObject({ error: 'unsupported_grant_type' });
  });
});

describe('OAuth login and consent in Chromium', () => {
  let server: OAuthTestServer;
  let callback: Server;
  let callbackUri: string;
  let browser: Browser;
  const received: string[] = [];

  beforeAll(async () => {
    callback = createServer((request, response) => {
      received.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p>Signed in.</p>');
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    const { port } = callback.address() as AddressInfo;
    callbackUri = `http://localhost:${port}/oauth/callback`;
    server = await startOAuthTestServer({ tls: true, redirectUris: [CUSTOM, callbackUri] });
    browser = await launchChromiumTrusting(server.spki);
  });
  afterEach(() => {
    received.length = 0;
  });
  afterAll(async () => {
    await browser.close();
    await server.close();
    callback.closeAllConnections();
    await new Promise<void>((resolve) => callback.close(() => resolve()));
  });

  it('logs in, consents and arrives at the localhost redirect URI with code and state', async () => {
    const page = await browser.newPage();
    const query = new URLSearchParams({
      client_id: server.clientId,
      redirect_uri: callbackUri,
      response_type: 'code',
      scope: 'PUBLIC_REPOS REPO_WRITE',
      state: 'state-from-chromium',
      ...pkce,
    });
    await page.goto(`${server.url}/rest/oauth2/latest/authorize?${query}`);
    await page.fill('#j_username', TEST_USER.name);
    await page.fill('#j_password', 'wrong-password');
    await page.click('#approve');
    await page.waitForSelector('.login-error');
    await page.fill('#j_username', TEST_USER.name);
    await page.fill('#j_password', TEST_USER.name);
    await Promise.all([page.waitForURL(/\/oauth\/callback\?/), page.click('#approve')]);
    expect(await page.textContent('body')).toContain('Signed in.');
    const arrived = new URL(page.url());
    expect(`${arrived.origin}${arrived.pathname}`).toBe(callbackUri);
    expect(arrived.searchParams.get('state')).toBe('state-from-chromium');
    // Chromium also asks for /favicon.ico; the callback itself arrives once.
    expect(received.filter((url) => url.startsWith('/oauth/callback'))).toHaveLength(1);
    const code = arrived.searchParams.get('code') ?? '';

    const form = { ...codeForm(server, code), redirect_uri: callbackUri };
    const ca = server.caPem ?? '';
    const { Agent } = await import('undici');
    const dispatcher = new Agent({ connect: { ca } });
    const post = (body: Record<string, string>) =>
      fetch(`${server.url}/rest/oauth2/latest/token`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    const first = await post(form);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as Record<string, string>;
    expect(tokens['scope']).toBe('PUBLIC_REPOS REPO_WRITE');
    const replay = await post(form);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    await dispatcher.close();
    await page.close();
  });

  it('stays on the error page, with no redirect, for an unregistered redirect URI', async () => {
    const page = await browser.newPage();
    const query = new URLSearchParams({
      client_id: server.clientId,
      redirect_uri: 'http://127.0.0.1:1/oauth/callback',
      response_type: 'code',
      scope: 'REPO_READ',
      state: 's',
    });
    const response = await page.goto(`${server.url}/rest/oauth2/latest/authorize?${query}`);
    expect(response?.status()).toBe(400);
    expect(await page.textContent('.error-code')).toBe('invalid_request');
    expect(new URL(page.url()).pathname).toBe('/rest/oauth2/latest/authorize');
    await page.close();
  });

  it('hands the custom-scheme redirect to the browser with code and state', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const query = new URLSearchParams({
      client_id: server.clientId,
      redirect_uri: CUSTOM,
      response_type: 'code',
      scope: 'REPO_READ',
      state: 'custom-state',
      ...pkce,
    });
    await page.goto(`${server.url}/rest/oauth2/latest/authorize?${query}`);
    await page.fill('#j_username', TEST_USER.name);
    await page.fill('#j_password', TEST_USER.name);
    const [redirect] = await Promise.all([
      page.waitForResponse((r) => r.status() === 302),
      page.click('#approve'),
    ]);
    const location = new URL((await redirect.headerValue('location')) ?? '');
    expect(`${location.protocol}${location.pathname}`).toBe(CUSTOM);
    expect(location.searchParams.get('state')).toBe('custom-state');
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
    await context.close();
  });
});
