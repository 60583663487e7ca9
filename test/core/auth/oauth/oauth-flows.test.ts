import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthFlowState } from '../../../../common/api/models.js';
import {
  createOAuthFlows,
  type OAuthFlowsOptions,
} from '../../../../core/auth/oauth/oauth-flows.js';
import { CUSTOM_REDIRECT_URI } from '../../../../core/auth/oauth/oauth-redirect.js';
import { createMemorySecretStore } from '../../../../core/secrets/memory-store.js';
import { newInstallation } from '../../../../core/settings/new-installation.js';
import { openSettings } from '../../../../core/settings/settings-file.js';
import type { SettingsStore } from '../../../../core/settings/settings-store.js';
import {
  launchChromiumTrusting,
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

describe('OAuth flows for the UI (start / wait / deliver / cancel)', () => {
  let server: OAuthTestServer;
  let browser: Browser;
  let port: number;
  let home: string;
  let settings: SettingsStore;

  beforeAll(async () => {
    port = await freePort();
    server = await startOAuthTestServer({
      tls: true,
      redirectUris: [CUSTOM_REDIRECT_URI, `http://localhost:${port}/oauth/callback`],
    });
    browser = await launchChromiumTrusting(server.spki);
    home = mkdtempSync(join(tmpdir(), 'oauth-flows-'));
    settings = openSettings(home);
    settings.saveInstallation(
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

  /** Login + Allow in Chromium; returns the redirect Location BDC sent. */
  async function consent(url: string): Promise<string> {
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
      if (location.startsWith('http://localhost')) await page.waitForURL(/\/oauth\/callback\?/);
      return location;
    } finally {
      await page.close();
    }
  }

  function flowsWith(overrides: Partial<OAuthFlowsOptions>, states: OAuthFlowState[]) {
    return createOAuthFlows({
      secrets: createMemorySecretStore(),
      settings,
      redirect: 'custom',
      port,
      openBrowser: undefined,
      env: {},
      onChange: (state) => states.push(state),
      ...overrides,
    });
  }

  const request = () => ({
    installation: 'prod',
    clientId: server.clientId,
    clientSecret: server.clientSecret,
  });

  it('desktop: the deep link main delivers completes the flow and records the sign-in', async () => {
    const states: OAuthFlowState[] = [];
    const flows = flowsWith({}, states);
    const start = await flows.start(request());
    expect(start).toMatchObject({ redirectUri: CUSTOM_REDIRECT_URI, opened: false });
    const location = await consent(start.authorizeUrl);
    expect(await flows.deliver('https://elsewhere.example/oauth/callback?code=x')).toBe(false);
    // Regression (issue 15 item 6): a link with another state, which any page can make the OS
    // open, neither completes nor fails the flow.
    expect(await flows.deliver(`${CUSTOM_REDIRECT_URI}?error=access_denied&state=forged`)).toBe(
      false,
    );
    expect(await flows.deliver(location)).toBe(true);
    const final = await flows.wait(start.flowId);
    expect(final).toEqual({
      kind: 'signed-in',
      flowId: start.flowId,
      user: { name: TEST_USER.name, displayName: undefined },
    });
    expect(states.map((state) => state.kind)).toEqual(['waiting', 'signed-in']);
    expect(settings.requireInstallation('prod').auth).toEqual({
      kind: 'oauth',
      clientId: server.clientId,
      redirect: 'custom',
      user: TEST_USER.name,
    });
    expect(await flows.deliver(location)).toBe(false);
  });

  it('headless serve: the browser comes back to the localhost listener', async () => {
    const flows = flowsWith(
      { redirect: 'localhost', openBrowser: async (url) => void (await consent(url)) },
      [],
    );
    const start = await flows.start(request());
    expect(start.opened).toBe(true);
    expect((await flows.wait(start.flowId)).kind).toBe('signed-in');
  });

  // Regression (issue 15 item 6): anyone on this machine could cancel a sign-in with one request.
  it('headless serve: a forged callback to the listener does not cancel the sign-in', async () => {
    const states: OAuthFlowState[] = [];
    const flows = flowsWith({ redirect: 'localhost' }, states);
    const start = await flows.start(request());
    const forged = await fetch(
      `http://127.0.0.1:${port}/oauth/callback?error=access_denied&state=forged`,
    );
    expect(forged.status).toBe(400);
    await consent(start.authorizeUrl);
    expect((await flows.wait(start.flowId)).kind).toBe('signed-in');
    expect(states.map((state) => state.kind)).toEqual(['waiting', 'signed-in']);
  });

  it('a new sign-in cancels the previous one, whose link can then never complete', async () => {
    const states: OAuthFlowState[] = [];
    const flows = flowsWith({}, states);
    const first = await flows.start(request());
    const firstLocation = await consent(first.authorizeUrl);
    const second = await flows.start(request());
    const firstFinal = states.find(
      (state) => state.flowId === first.flowId && state.kind === 'failed',
    );
    expect(firstFinal).toMatchObject({ error: { code: 'OPERATION_CANCELLED' } });
    // The old link carries the first flow's state: the second flow ignores it and keeps waiting.
    expect(await flows.deliver(firstLocation)).toBe(false);
    await flows.cancel(second.flowId);
    expect(await flows.wait(second.flowId)).toMatchObject({
      kind: 'failed',
      error: { code: 'OPERATION_CANCELLED' },
    });
    expect((await flows.wait(first.flowId)).kind).toBe('failed');
    await expect(flows.wait('no-such-flow')).rejects.toMatchObject({
      code: 'APP_OAUTH_FLOW_UNKNOWN',
    });
  });

  it('fails a flow nobody finishes with the redirect URI to register', async () => {
    const flows = flowsWith({ timeoutMs: 100 }, []);
    const start = await flows.start(request());
    const final = await flows.wait(start.flowId);
    expect(final).toMatchObject({ kind: 'failed', error: { code: 'OAUTH_CALLBACK_TIMEOUT' } });
    expect(final.kind === 'failed' && final.error.hint).toContain(CUSTOM_REDIRECT_URI);
  });

  it('refuses a wrong client id before anything opens', async () => {
    let opened = false;
    const flows = flowsWith({ openBrowser: async () => void (opened = true) }, []);
    await expect(flows.start({ ...request(), clientId: 'nobody' })).rejects.toMatchObject({
      code: 'OAUTH_AUTHORIZE_REJECTED',
    });
    expect(opened).toBe(false);
    expect(flows.redirectUris()).toEqual({
      uris: [CUSTOM_REDIRECT_URI, `http://localhost:${port}/oauth/callback`],
      active: CUSTOM_REDIRECT_URI,
    });
  });

  // Issue 16 item 6 through the UI's path (desktop and serve): the same use case as the CLI.
  it('refuses a wrong secret before the browser; keeps a checked one for a retry until success or cancel', async () => {
    const secrets = createMemorySecretStore();
    const kept = {
      installationId: settings.requireInstallation('prod').id,
      kind: 'oauth-client-pending',
    } as const;
    let opened = 0;
    const wrong = await flowsWith({ secrets, openBrowser: async () => void (opened += 1) }, [])
      .start({ ...request(), clientSecret: 'f'.repeat(64) })
      .catch((error: unknown) => error);
    expect(wrong).toMatchObject({ code: 'OAUTH_CLIENT_REJECTED' });
    expect(opened).toBe(0);
    expect(await secrets.get(kept)).toBeUndefined();

    // A failure after the checks (nobody came back in time) keeps what was entered.
    const timedOut = flowsWith({ secrets, timeoutMs: 100 }, []);
    const first = await timedOut.start(request());
    expect((await timedOut.wait(first.flowId)).kind).toBe('failed');
    expect(JSON.parse((await secrets.get(kept)) ?? '{}')).toEqual({
      clientId: server.clientId,
      clientSecret: server.clientSecret,
    });

    // The retry needs nothing entered again; success forgets the kept input.
    const flows = flowsWith({ secrets }, []);
    const retry = await flows.start({ installation: 'prod', clientId: '', clientSecret: '' });
    expect(await flows.deliver(await consent(retry.authorizeUrl))).toBe(true);
    expect((await flows.wait(retry.flowId)).kind).toBe('signed-in');
    expect(await secrets.get(kept)).toBeUndefined();

    // The admin's Cancel forgets it too.
    const cancelled = await flows.start(request());
    expect(await secrets.get(kept)).toBeDefined();
    await flows.cancel(cancelled.flowId);
    expect(await secrets.get(kept)).toBeUndefined();
  });
});
