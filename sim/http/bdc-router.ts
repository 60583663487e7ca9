import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultState } from '../faults.js';
import { handleScm, type ScmDependencies } from '../git/scm-handler.js';
import type { OAuthProvider } from '../oauth-port.js';
import { handleRepositorySizes, REPOSITORY_SIZES_PATH } from '../rest/repository-sizes.js';
import { handleRest, makeCall, type RestEnvironment } from '../rest/rest-api.js';
import { authenticate, isTokenPath } from './authenticate.js';
import { bdcErrors } from './bdc-errors.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RequestLog } from './request-log.js';
import { sendError, sendJson, sendText } from './respond.js';

export type StatusState = 'STARTING' | 'FIRST_RUN' | 'RUNNING' | 'MAINTENANCE' | 'ERROR';

export interface RouterDependencies {
  readonly contextPath: string;
  readonly rest: RestEnvironment;
  readonly scm: ScmDependencies;
  readonly faults: FaultState;
  readonly oauth: () => OAuthProvider | undefined;
  readonly status: () => StatusState;
  readonly now: () => number;
  /** The rate limiter while rate limiting is on. */
  readonly rateLimiter: () => RateLimiter | undefined;
  /** Records every non-admin request. */
  readonly requestLog?: RequestLog;
  /** Whether `/projects/{KEY}/repos/{slug}/sizes` is served (SimulatorOptions.repositorySizes). */
  readonly repositorySizes?: boolean;
  /** Resets the TCP connection under a request (fault injection). */
  resetConnection(request: IncomingMessage): void;
  /** `/__sim/...` admin requests (not BDC; never faulted). */
  admin(request: IncomingMessage, response: ServerResponse, path: string): Promise<void>;
}

let requestCounter = 0;

/** `@1A2B3Cx647x1328455x0`-shaped, like BDC's X-AREQUESTID. */
function requestId(): string {
  requestCounter += 1;
  const node = randomBytes(3).toString('hex').toUpperCase();
  const minute = Math.floor(Date.now() / 60_000) % 1440;
  return `@${node}x${minute}x${requestCounter}x0`;
}

const statusCodes: Readonly<Record<StatusState, number>> = {
  STARTING: 503,
  FIRST_RUN: 200,
  RUNNING: 200,
  MAINTENANCE: 200,
  ERROR: 500,
};

/** The simulator's request pipeline: admin → faults → context path → auth → routes → 404. */
export function createBdcRouter(deps: RouterDependencies) {
  const context = deps.contextPath;
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    const rawPath = url.pathname;
    response.setHeader('X-AREQUESTID', requestId());
    response.setHeader('Vary', 'x-ausername,x-auserid,cookie,accept-encoding');

    if (rawPath.startsWith('/__sim/') || rawPath.startsWith(`${context}/__sim/`)) {
      await deps.admin(request, response, rawPath.slice(rawPath.indexOf('/__sim/')));
      return;
    }
    deps.requestLog?.record({
      method: request.method ?? 'GET',
      path: rawPath,
      query: url.search,
      at: deps.now(),
    });

    const latency = deps.faults.currentLatency;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    if (deps.faults.takeReset()) {
      deps.resetConnection(request);
      return;
    }

    if (context && rawPath !== context && !rawPath.startsWith(`${context}/`)) {
      sendText(response, 404, 'Not Found\n');
      return;
    }
    const path = rawPath.slice(context.length) || '/';

    const injected = deps.faults.takeFailure(path);
    if (injected) {
      sendError(response, bdcErrors.injected(injected.status), {
        ...(injected.retryAfterSeconds !== undefined
          ? { 'Retry-After': String(injected.retryAfterSeconds) }
          : {}),
      });
      return;
    }

    const oauth = deps.oauth();
    // The OAuth endpoints authenticate the client, not a user: an HTTP Basic client_id:secret
    // on the token endpoint is not a login attempt, so the provider answers before user auth.
    if (
      oauth &&
      path.startsWith('/rest/oauth2/') &&
      (await oauth.handle(request, response, path))
    ) {
      return;
    }
    const outcome = authenticate(
      request.headers.authorization,
      path,
      deps.rest.state,
      oauth,
      deps.now(),
    );
    if (outcome.kind === 'login-redirect') {
      const next = encodeURIComponent(`${context}${path}${url.search}`);
      response.writeHead(302, { Location: `${deps.rest.baseUrl}/login?next=${next}` });
      response.end();
      return;
    }
    if (outcome.kind === 'bad-credentials') {
      sendError(
        response,
        bdcErrors.incorrectPassword(),
        path.startsWith('/scm/') ? { 'WWW-Authenticate': 'Basic realm="Atlassian Bitbucket"' } : {},
      );
      return;
    }
    const principal = outcome.principal;
    if (principal.user) {
      response.setHeader('X-AUSERNAME', principal.user.name);
      response.setHeader('X-AUSERID', String(principal.user.id));
      const verdict = deps.rateLimiter()?.take(principal.user.name);
      if (verdict && !verdict.allowed) {
        sendError(response, bdcErrors.rateLimited(), {
          'Retry-After': String(verdict.retryAfterSeconds),
        });
        return;
      }
    }

    if (path === '/status') {
      const state = deps.status();
      sendJson(response, statusCodes[state], { state });
      return;
    }
    if (oauth && (await oauth.handle(request, response, path))) return;
    if (path.startsWith('/scm/')) {
      await handleScm(request, response, path, url.searchParams, principal, {}, deps.scm);
      return;
    }
    if (path.startsWith('/rest/')) {
      const call = makeCall(request, response, path, url.searchParams, principal, deps.rest);
      if (await handleRest(call)) return;
      sendError(response, bdcErrors.notFound(path));
      return;
    }
    const sizes = request.method === 'GET' ? REPOSITORY_SIZES_PATH.exec(path) : null;
    if (sizes !== null && deps.repositorySizes !== false) {
      const call = makeCall(request, response, path, url.searchParams, principal, deps.rest);
      await handleRepositorySizes(call, sizes);
      return;
    }
    if (path === '/plugins/servlet/applinks/whoami') {
      // Anonymous callers get 200 with an empty body, as Backstage notes.
      sendText(response, 200, principal.user?.name ?? '');
      return;
    }
    if (path === '/login') {
      sendText(
        response,
        200,
        '<!DOCTYPE html><html><head><title>Log in - Bitbucket</title></head><body><h1>Log in</h1></body></html>',
        'text/html;charset=UTF-8',
      );
      return;
    }
    if (!isTokenPath(path)) {
      sendText(response, 404, 'Not Found\n', 'text/plain;charset=UTF-8');
      return;
    }
    sendError(response, bdcErrors.notFound(path));
  };
}
