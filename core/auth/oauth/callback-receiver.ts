import { createServer, type Server } from 'node:http';
import { CompanionError } from '../../../common/errors/companion-error.js';
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
  /** The full callback URL, once. */
  next(signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

const DONE_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ankra BDC Companion</title></head>
<body><h1>Back to the companion</h1>
<p>The companion received the answer from Bitbucket. You can close this window.</p></body></html>
`;

/**
 * A one-shot HTTP listener on 127.0.0.1 at a fixed port for `http://localhost:<port>/oauth/callback`
 * (BDC refuses `127.0.0.1` in redirect URIs, so the URI names `localhost` while the socket is
 * bound to the IPv4 loopback only). It answers the first request on the callback path, then closes.
 */
export async function startLoopbackReceiver(port: number): Promise<CallbackReceiver> {
  const redirectUri = loopbackRedirectUri(port);
  let deliver: ((url: string) => void) | undefined;
  let delivered: string | undefined;
  const server: Server = createServer((request, response) => {
    const target = new URL(request.url ?? '/', `http://localhost:${port}`);
    if (request.method !== 'GET' || target.pathname !== LOOPBACK_CALLBACK_PATH || delivered) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    delivered = `${redirectUri}${target.search}`;
    response
      .writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        // The page must not leak the code in the query to any other site.
        'Referrer-Policy': 'no-referrer',
      })
      .end(DONE_PAGE);
    deliver?.(delivered);
  });
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
    next(signal) {
      if (delivered !== undefined) return Promise.resolve(delivered);
      return untilAborted(signal, (resolve) => {
        deliver = resolve;
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Callbacks the desktop shell received through the custom protocol, waiting for a sign-in. */
const customSchemeWaiters = new Set<(url: string) => void>();

/**
 * For the Electron main process: hand it every `io.ankra.bdc-companion:` URL the OS delivers
 * (`open-url`, `second-instance` argv, cold-start argv). True when a sign-in took it.
 */
export function deliverOAuthCallback(url: string): boolean {
  if (!url.startsWith(`${CUSTOM_REDIRECT_URI}?`) && url !== CUSTOM_REDIRECT_URI) return false;
  if (customSchemeWaiters.size === 0) return false;
  for (const waiter of customSchemeWaiters) waiter(url);
  return true;
}

export function createCustomSchemeReceiver(): CallbackReceiver {
  let waiter: ((url: string) => void) | undefined;
  return {
    redirectUri: CUSTOM_REDIRECT_URI,
    next(signal) {
      return untilAborted(signal, (resolve) => {
        waiter = (url) => {
          if (waiter !== undefined) customSchemeWaiters.delete(waiter);
          resolve(url);
        };
        customSchemeWaiters.add(waiter);
      }).finally(() => {
        if (waiter !== undefined) customSchemeWaiters.delete(waiter);
      });
    },
    async close() {
      if (waiter !== undefined) customSchemeWaiters.delete(waiter);
    },
  };
}

/**
 * The last resort: the user copies the address the browser was sent to (for the custom scheme on a
 * machine where no app handles it) and pastes it; `read` supplies that text.
 */
export function createPastedCallbackReceiver(
  redirectUri: string,
  read: (signal: AbortSignal) => Promise<string>,
): CallbackReceiver {
  return {
    redirectUri,
    next: (signal) => read(signal),
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
