import { createServer } from 'node:net';
import { fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  beginAuthorization,
  readCallback,
} from '../../../../core/auth/oauth/authorization-request.js';
import {
  createHeadlessBrowserOpener,
  systemOpenCommand,
} from '../../../../core/auth/oauth/browser-opener.js';
import {
  createCustomSchemeReceiver,
  createPastedCallbackReceiver,
  deliverOAuthCallback,
  startLoopbackReceiver,
  type CallbackReceiver,
} from '../../../../core/auth/oauth/callback-receiver.js';
import {
  CUSTOM_REDIRECT_URI,
  redirectUriFor,
  redirectUrisToRegister,
} from '../../../../core/auth/oauth/oauth-redirect.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('redirect URIs', () => {
  it('are the custom scheme and http://localhost on the fixed port, never 127.0.0.1', () => {
    expect(redirectUrisToRegister()).toEqual([
      'io.ankra.bdc-companion:/oauth/callback',
      'http://localhost:47615/oauth/callback',
    ]);
    expect(redirectUriFor('localhost', 50123)).toBe('http://localhost:50123/oauth/callback');
    expect(redirectUriFor('custom')).toBe(CUSTOM_REDIRECT_URI);
  });
});

describe('authorization request and callback', () => {
  const begin = () =>
    beginAuthorization({
      baseUrl: 'https://bdc.example/bitbucket',
      clientId: 'client-1',
      redirectUri: CUSTOM_REDIRECT_URI,
      scopes: ['REPO_READ', 'REPO_WRITE'],
      now: 0,
    });

  it('builds the authorize URL with PKCE S256, state and the context path', async () => {
    const pending = await begin();
    const url = new URL(pending.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(
      'https://bdc.example/bitbucket/rest/oauth2/latest/authorize',
    );
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'client-1',
      redirect_uri: CUSTOM_REDIRECT_URI,
      response_type: 'code',
      scope: 'REPO_READ REPO_WRITE',
      state: pending.state,
      code_challenge_method: 'S256',
    });
    expect(pending.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(pending.authorizationUrl).not.toContain(pending.codeVerifier);
    expect((await begin()).state).not.toBe(pending.state);
  });

  it('accepts only our redirect URI with our state, and maps returned errors', async () => {
    const pending = await begin();
    const back = (query: Record<string, string>) =>
      `${CUSTOM_REDIRECT_URI}?${new URLSearchParams(query)}`;
    expect(readCallback(pending, back({ code: 'c1', state: pending.state })).get('code')).toBe(
      'c1',
    );
    const refused = (text: string) => {
      try {
        readCallback(pending, text);
        return 'accepted';
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect(refused(back({ code: 'c1', state: 'other' }))).toBe('OAUTH_STATE_MISMATCH');
    expect(refused(back({ code: 'c1' }))).toBe('OAUTH_STATE_MISMATCH');
    expect(refused(`io.ankra.bdc-companion:/other?code=c1&state=${pending.state}`)).toBe(
      'OAUTH_CALLBACK_INVALID',
    );
    expect(refused('not a url')).toBe('OAUTH_CALLBACK_INVALID');
    expect(refused(back({ state: pending.state }))).toBe('OAUTH_CALLBACK_INVALID');
    expect(refused(back({ error: 'access_denied', state: pending.state }))).toBe(
      'OAUTH_ACCESS_DENIED',
    );
    expect(refused(back({ error: 'invalid_scope', state: pending.state }))).toBe(
      'OAUTH_SCOPE_REJECTED',
    );
    expect(refused(back({ error: 'server_error', state: pending.state }))).toBe(
      'OAUTH_AUTHORIZATION_FAILED',
    );
    // A forged error with a foreign state is refused as a state mismatch, not believed.
    expect(refused(back({ error: 'access_denied', state: 'x' }))).toBe('OAUTH_STATE_MISMATCH');
  });
});

describe('callback receivers', () => {
  const ourState = (url: string) => new URL(url).searchParams.get('state') === 's';

  it('loopback: listens on 127.0.0.1 only, answers once, ignores other paths', async () => {
    const port = await freePort();
    const receiver = await startLoopbackReceiver(port);
    try {
      expect(receiver.redirectUri).toBe(`http://localhost:${port}/oauth/callback`);
      const waiting = receiver.next(new AbortController().signal, ourState);
      const favicon = await fetch(`http://127.0.0.1:${port}/favicon.ico`);
      expect(favicon.status).toBe(404);
      const hitting = fetch(`http://127.0.0.1:${port}/oauth/callback?code=abc&state=s`);
      expect(await waiting).toBe(`http://localhost:${port}/oauth/callback?code=abc&state=s`);
      receiver.settle({ kind: 'signed-in', user: 'alice' });
      const hit = await hitting;
      expect(hit.status).toBe(200);
      expect(hit.headers.get('referrer-policy')).toBe('no-referrer');
      const again = await fetch(`http://127.0.0.1:${port}/oauth/callback?code=def&state=s`);
      expect(again.status).toBe(404);
    } finally {
      await receiver.close();
    }
  });

  // Regression (issue 16 item 6): the page said "You can close this window" before the code was
  // even redeemed, whether sign-in then worked or not.
  it('loopback: the browser page says how the sign-in ended, a failure in red with the next step', async () => {
    const answer = async (outcome?: Parameters<CallbackReceiver['settle']>[0]) => {
      const port = await freePort();
      const receiver = await startLoopbackReceiver(port);
      try {
        const waiting = receiver.next(new AbortController().signal, ourState);
        const page = fetch(`http://127.0.0.1:${port}/oauth/callback?code=abc&state=s`);
        await waiting;
        if (outcome !== undefined) receiver.settle(outcome);
        else void receiver.close();
        const response = await page;
        return { status: response.status, html: await response.text() };
      } finally {
        await receiver.close();
      }
    };
    const ok = await answer({ kind: 'signed-in', user: 'alice' });
    expect(ok.status).toBe(200);
    expect(ok.html).toContain('<h1>Signed in</h1>');
    expect(ok.html).toContain('<strong>alice</strong>');
    const failed = await answer({
      kind: 'failed',
      error: { code: 'OAUTH_CODE_EXPIRED', message: 'The code expired <before> it was redeemed.' },
    });
    expect(failed.status).toBe(400);
    expect(failed.html).toContain('<h1>Sign-in failed</h1>');
    expect(failed.html).toContain('#c62828');
    expect(failed.html).toContain('The code expired &#60;before&#62; it was redeemed.');
    expect(failed.html).toContain('What to do next:');
    expect(failed.html).not.toContain('You can close this window');
    // The companion stopping before an outcome is a failure too, never a silent success.
    const stopped = await answer();
    expect(stopped.html).toContain('<h1>Sign-in failed</h1>');
  });

  // Regression (issue 15 item 6): one request with a wrong state failed the pending sign-in and
  // the real callback was then refused.
  it('loopback: a callback with a wrong or missing state gets an error page and changes nothing', async () => {
    const port = await freePort();
    const receiver = await startLoopbackReceiver(port);
    try {
      let settled = false;
      const waiting = receiver.next(new AbortController().signal, ourState);
      void waiting.finally(() => (settled = true));
      for (const query of ['code=forged&state=wrong', 'error=access_denied', 'code=x']) {
        const foreign = await fetch(`http://127.0.0.1:${port}/oauth/callback?${query}`);
        expect(foreign.status).toBe(400);
        expect(await foreign.text()).toContain('Not the sign-in in progress');
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(settled).toBe(false);
      const real = fetch(`http://127.0.0.1:${port}/oauth/callback?code=abc&state=s`);
      expect(await waiting).toBe(`http://localhost:${port}/oauth/callback?code=abc&state=s`);
      receiver.settle({ kind: 'signed-in', user: 'alice' });
      expect((await real).status).toBe(200);
    } finally {
      await receiver.close();
    }
  });

  it('loopback: a taken port is its own error', async () => {
    const port = await freePort();
    const first = await startLoopbackReceiver(port);
    try {
      await expect(startLoopbackReceiver(port)).rejects.toMatchObject({
        code: 'OAUTH_CALLBACK_PORT_IN_USE',
      });
    } finally {
      await first.close();
    }
  });

  it('loopback: waiting stops when the signal aborts', async () => {
    const receiver = await startLoopbackReceiver(await freePort());
    const controller = new AbortController();
    const waiting = receiver.next(controller.signal, ourState);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await receiver.close();
  });

  it('custom scheme: main delivers the URL to the waiting sign-in, and only ours', async () => {
    expect(deliverOAuthCallback(`${CUSTOM_REDIRECT_URI}?code=1&state=s`)).toBe(false);
    const receiver = createCustomSchemeReceiver();
    const waiting = receiver.next(new AbortController().signal, ourState);
    expect(deliverOAuthCallback('https://evil.example/?code=1')).toBe(false);
    // Any web page can open the scheme: a foreign state is not taken and the sign-in still waits.
    expect(deliverOAuthCallback(`${CUSTOM_REDIRECT_URI}?code=1&state=2`)).toBe(false);
    expect(deliverOAuthCallback(`${CUSTOM_REDIRECT_URI}?code=1&state=s`)).toBe(true);
    expect(await waiting).toBe(`${CUSTOM_REDIRECT_URI}?code=1&state=s`);
    expect(deliverOAuthCallback(`${CUSTOM_REDIRECT_URI}?code=1&state=s`)).toBe(false);
    await receiver.close();
  });

  it('paste: returns what the user pasted', async () => {
    const receiver = createPastedCallbackReceiver(CUSTOM_REDIRECT_URI, async () => 'pasted');
    expect(await receiver.next(new AbortController().signal, () => false)).toBe('pasted');
  });
});

describe('headless browser opener', () => {
  it('prints the URL first and knows the platform opener', async () => {
    const notes: string[] = [];
    await createHeadlessBrowserOpener({ note: (text) => notes.push(text), tryOpen: false })(
      'https://bdc.example/rest/oauth2/latest/authorize?state=s',
    );
    expect(notes.join('')).toContain('https://bdc.example/rest/oauth2/latest/authorize?state=s');
    expect(systemOpenCommand('linux')).toBe('xdg-open');
    expect(systemOpenCommand('darwin')).toBe('open');
    expect(systemOpenCommand('win32')).toBeUndefined();
  });
});
