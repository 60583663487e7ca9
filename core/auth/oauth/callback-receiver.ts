import { createServer, type Server, type ServerResponse } from 'node:http';
import { CompanionError } from '../../../common/errors/companion-error.js';
import { limitConnections, LOOPBACK_CONNECTION_LIMITS } from '../../net/connection-limits.js';
import { callbackPage, STOPPED_OUTCOME, type CallbackOutcome } from './callback-pages.js';
import {
  CUSTOM_REDIRECT_URI,
  LOOPBACK_CALLBACK_PATH,
  loopbackRedirectUri,
} from './oauth-redirect.js';

/**
 * Where the browser's redirect comes back to the companion. Three ways, one interface:
 * a one-shot loopback listener (headless and fallback), the custom protocol the desktop shell
 * receives from the OS, and a URL the user pastes (last resort).
 */
export interface CallbackReceiver {
  /** The redirect URI to send in the authorization request. */
  readonly redirectUri: string;
  /**
   * The full callback URL, once: the first that `belongs` to the sign-in in progress. Others (a
   * wrong or missing state, sent by anyone who can reach the port or open the scheme) are answered
   * with an error page and ignored, so they can neither complete nor cancel the sign-in.
   */
  next(signal: AbortSignal, belongs: (url: string) => boolean): Promise<string>;
  /**
   * How the sign-in that took the callback ended. The loopback answers the browser only now, so
   * its page says success or failure in words; the custom scheme and a pasted URL have no page
   * (the companion's own window or terminal says it).
   */
  settle(outcome: CallbackOutcome): void;
  close(): Promise<void>;
}

/** How long the browser's request is held open for the outcome before a page says "look back". */
const MAX_HOLD_MS = 60_000;

const MAX_HELD_CALLBACKS = 8;

const FOREIGN_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ankra BDC Companion</title></head>
<body><h1>Not the sign-in in progress</h1>
<p>This answer does not carry the state of the sign-in the companion is waiting for, so it was
ignored. Finish the sign-in from the window the companion opened, or start it again.</p></body></html>
`;

/**
 * A one-shot HTTP listener on 127.0.0.1 at a fixed port for `http://localhost:<port>/oauth/callback`
 * (BDC refuses `127.0.0.1` in redirect URIs, so the URI names `localhost` while the socket is
 * bound to the IPv4 loopback only). It takes the first callback that belongs to the sign-in, answers
 * any other with an error page, and ignores everything after it.
 */
export async function startLoopbackReceiver(port: number): Promise<CallbackReceiver> {
  const redirectUri = loopbackRedirectUri(port);
  let waiting: { belongs: (url: string) => boolean; resolve: (url: string) => void } | undefined;
  let delivered = false;
  // Callbacks that arrive before the sign-in waits (a fast browser) are held, a few only.
  const held: { url: string; response: ServerResponse }[] = [];
  // The browser's request for our callback, answered once the sign-in has its outcome.
  let pending: { response: ServerResponse; timer: NodeJS.Timeout } | undefined;
  let lastPage: Promise<void> = Promise.resolve();
  const sendPage = (response: ServerResponse, status: number, html: string): void => {
    lastPage = new Promise<void>((resolve) => {
      response.once('close', resolve);
      response
        .writeHead(status, {
          'Content-Type': 'text/html; charset=utf-8',
          'Cache-Control': 'no-store',
          // The page must not leak the code in the query to any other site.
          'Referrer-Policy': 'no-referrer',
        })
        .end(html, () => resolve());
    });
  };
  const settle = (outcome: CallbackOutcome): void => {
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    sendPage(pending.response, outcome.kind === 'signed-in' ? 200 : 400, callbackPage(outcome));
    pending = undefined;
  };
  const answer = (url: string, response: ServerResponse): void => {
    if (delivered) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const ours = waiting?.belongs(url) === true;
    if (!ours || waiting === undefined) {
      sendPage(response, 400, FOREIGN_PAGE);
      return;
    }
    delivered = true;
    const timer = setTimeout(
      () =>
        settle({
          kind: 'failed',
          error: {
            code: 'OAUTH_CALLBACK_TIMEOUT',
            message:
              'The companion is taking long to finish the sign-in; its window says how it ends.',
          },
        }),
      MAX_HOLD_MS,
    );
    timer.unref();
    pending = { response, timer };
    waiting.resolve(url);
  };
  const server: Server = createServer((request, response) => {
    request.resume();
    const target = new URL(request.url ?? '/', `http://localhost:${port}`);
    if (request.method !== 'GET' || target.pathname !== LOOPBACK_CALLBACK_PATH || delivered) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const url = `${redirectUri}${target.search}`;
    if (waiting !== undefined) answer(url, response);
    else if (held.length < MAX_HELD_CALLBACKS) held.push({ url, response });
    else response.writeHead(503, { 'Content-Type': 'text/plain' }).end('Busy');
  });
  limitConnections(server, LOOPBACK_CONNECTION_LIMITS);
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new CompanionError(
              'OAUTH_CALLBACK_PORT_IN_USE',
              `Port ${port} on 127.0.0.1 is not available for the OAuth callback (${error.code}).`,
              { data: { port } },
            )
          : error,
      );
    };
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve();
    });
  });
  return {
    redirectUri,
    next(signal, belongs) {
      return untilAborted(signal, (resolve) => {
        waiting = { belongs, resolve };
        for (const { url, response } of held.splice(0)) answer(url, response);
      });
    },
    settle,
    async close() {
      settle(STOPPED_OUTCOME);
      // Let the last page reach the browser before the sockets go (bounded).
      await Promise.race([lastPage, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sign-ins waiting for a callback through the custom protocol; each takes only its own. */
const customSchemeWaiters = new Set<(url: string) => boolean>();

/**
 * For the Electron main process: hand it every `io.ankra.bdc-companion:` URL the OS delivers
 * (`open-url`, `second-instance` argv, cold-start argv). True when a sign-in took it.
 */
export function deliverOAuthCallback(url: string): boolean {
  if (!url.startsWith(`${CUSTOM_REDIRECT_URI}?`) && url !== CUSTOM_REDIRECT_URI) return false;
  let taken = false;
  for (const waiter of [...customSchemeWaiters]) taken = waiter(url) || taken;
  return taken;
}

export function createCustomSchemeReceiver(): CallbackReceiver {
  let waiter: ((url: string) => boolean) | undefined;
  return {
    redirectUri: CUSTOM_REDIRECT_URI,
    next(signal, belongs) {
      return untilAborted(signal, (resolve) => {
        waiter = (url) => {
          if (!belongs(url)) return false;
          if (waiter !== undefined) customSchemeWaiters.delete(waiter);
          resolve(url);
          return true;
        };
        customSchemeWaiters.add(waiter);
      }).finally(() => {
        if (waiter !== undefined) customSchemeWaiters.delete(waiter);
      });
    },
    settle: () => undefined,
    async close() {
      if (waiter !== undefined) customSchemeWaiters.delete(waiter);
    },
  };
}

/**
 * The last resort: the user copies the address the browser was sent to (for the custom scheme on a
 * machine where no app handles it) and pastes it; `read` supplies that text. What the user pasted
 * is taken as is: a wrong state is then their own mistake, reported as `OAUTH_STATE_MISMATCH`.
 */
export function createPastedCallbackReceiver(
  redirectUri: string,
  read: (signal: AbortSignal) => Promise<string>,
): CallbackReceiver {
  return {
    redirectUri,
    next: (signal) => read(signal),
    settle: () => undefined,
    close: async () => undefined,
  };
}

function untilAborted(
  signal: AbortSignal,
  start: (resolve: (url: string) => void) => void,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    start((url) => {
      signal.removeEventListener('abort', onAbort);
      resolve(url);
    });
  });
}
