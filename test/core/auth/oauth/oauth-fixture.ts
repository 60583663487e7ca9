import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Dispatcher } from 'undici';
import { createDispatcher } from '../../../../core/net/network-factory.js';
import { createOAuthProvider, type OAuthProvider } from '../../../../sim/oauth/oauth-provider.js';
import type { OAuthScope } from '../../../../sim/oauth/oauth-rules.js';
import type { SimUser } from '../../../../sim/simulator-api.js';
import { launchChromiumBrowser } from '../../../helpers/chromium.js';

/**
 * A small BDC stand-in for the OAuth tests: the simulator's OAuth provider mounted in its own
 * server on 127.0.0.1 (HTTP, or HTTPS with a throw-away CA), plus the one REST endpoint the
 * sign-in uses to learn the user (`/rest/api/1.0/users`, answering with `X-AUSERNAME` for a live
 * access token and 401 otherwise). Self-contained, so the OAuth tests do not depend on the rest
 * of the simulator.
 */

export interface OAuthTestServer {
  /** Base URL with the context path, no trailing slash. */
  readonly url: string;
  readonly caPem: string | undefined;
  /** base64 SHA-256 of the server key's SPKI, for Chromium's pin flag. */
  readonly spki: string | undefined;
  readonly provider: OAuthProvider;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Moves the injected clock. */
  advance(ms: number): void;
  /** Paths of the requests the server saw, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export interface OAuthTestServerOptions {
  readonly tls?: boolean;
  readonly contextPath?: string;
  readonly redirectUris?: readonly string[];
  readonly scopes?: readonly OAuthScope[];
  readonly codeLifetimeSeconds?: number;
}

export const TEST_USER: SimUser = {
  name: 'admin',
  id: 1,
  displayName: 'Administrator',
  emailAddress: 'admin@example.com',
};

export function makeTestPki(): { caPem: string; keyPem: string; certPem: string; spki: string } {
  const dir = mkdtempSync(join(tmpdir(), 'oauth-pki-'));
  try {
    const run = (args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    run([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=OAuth Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    run([
      'req',
      '-new',
      ...ec,
      '-keyout',
      'leaf.key',
      '-out',
      'leaf.csr',
      '-subj',
      '/CN=localhost',
    ]);
    writeFileSync(
      join(dir, 'ext.cnf'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
    );
    run([
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'leaf.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ]);
    const certPem = readFileSync(join(dir, 'leaf.pem'), 'utf8');
    const spkiDer = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
    return {
      caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'leaf.key'), 'utf8'),
      certPem,
      spki: createHash('sha256').update(spkiDer).digest('base64'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startOAuthTestServer(
  options: OAuthTestServerOptions = {},
): Promise<OAuthTestServer> {
  let clock = Date.UTC(2026, 10, 28, 12, 0, 0);
  const clientId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const clientSecret = 'b0c0f0e7a1d94c0aa3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b';
  const contextPath = options.contextPath ?? '';
  const provider = createOAuthProvider({
    now: () => clock,
    findUser: (name) => (name === TEST_USER.name ? TEST_USER : undefined),
    clients: [
      {
        clientId,
        clientSecret,
        name: 'Ankra BDC Companion',
        redirectUris: options.redirectUris ?? [
          'io.ankra.bdc-companion:/oauth/callback',
          'http://localhost:47615/oauth/callback',
        ],
        ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
      },
    ],
    ...(options.codeLifetimeSeconds === undefined
      ? {}
      : { codeLifetimeSeconds: options.codeLifetimeSeconds }),
  });
  const requests: string[] = [];
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    requests.push(`${request.method ?? ''} ${url.pathname}`);
    if (!url.pathname.startsWith(`${contextPath}/`)) {
      response.writeHead(404).end();
      return;
    }
    const path = url.pathname.slice(contextPath.length);
    provider.handle(request, response, path).then(
      (handled) => {
        if (handled) return;
        if (path === '/rest/api/1.0/users') {
          const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
          const identity = bearer === undefined ? undefined : provider.authenticateBearer(bearer);
          if (identity === undefined) {
            response.writeHead(401, { 'Content-Type': 'application/json;charset=UTF-8' }).end(
              JSON.stringify({
                errors: [
                  {
                    context: null,
                    message: 'You are not permitted to access this resource',
                    exceptionName:
                      'com.atlassian.plugins.rest.api.security.exception.AuthenticationRequiredException',
                  },
                ],
              }),
            );
            return;
          }
          response
            .writeHead(200, {
              'Content-Type': 'application/json;charset=UTF-8',
              'X-AUSERNAME': identity.user,
              'X-AUSERID': '1',
            })
            .end(JSON.stringify({ size: 0, limit: 1, isLastPage: true, values: [], start: 0 }));
          return;
        }
        response.writeHead(404).end();
      },
      (error: unknown) => {
        response.writeHead(500).end(String(error));
      },
    );
  };
  const pki = options.tls === true ? makeTestPki() : undefined;
  const server =
    pki === undefined
      ? createHttpServer(listener)
      : createHttpsServer({ key: pki.keyPem, cert: pki.certPem }, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = pki === undefined ? 'http' : 'https';
  return {
    url: `${scheme}://127.0.0.1:${port}${contextPath}`,
    caPem: pki?.caPem,
    spki: pki?.spki,
    provider,
    clientId,
    clientSecret,
    advance(ms) {
      clock += ms;
    },
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Chromium trusting exactly one server key (by SPKI pin) — the browser-side equivalent of adding
 * the test CA; nothing else about certificate checking is relaxed.
 */
export async function launchChromiumTrusting(spki: string | undefined): Promise<Browser> {
  return launchChromiumBrowser(
    spki === undefined ? [] : [`--ignore-certificate-errors-spki-list=${spki}`],
  );
}

/**
 * The product's own network factory for the test server: its CA added to the runtime roots,
 * instance address policy with the development loopback setting, no proxy from the environment.
 */
export function productDispatcher(server: Pick<OAuthTestServer, 'caPem'>): Dispatcher {
  return createDispatcher({
    caPems: server.caPem === undefined ? [] : [server.caPem],
    addressPolicy: 'instance',
    allowLoopback: true,
    env: {},
  });
}
