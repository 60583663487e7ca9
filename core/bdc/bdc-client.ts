import type { Dispatcher } from 'undici';
import { request } from '../net/dispatcher-request.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import type { Authorization } from '../auth/authorization.js';
import { readBounded } from '../io/bounded-read.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { installationNetworkOptions } from '../net/installation-network.js';
import { createDispatcher } from '../net/network-factory.js';
import { USER_AGENT } from '../net/user-agent.js';
import {
  describeBdcErrors,
  isPermissionDenial,
  parseBdcErrors,
  retryAfterMs,
  type BdcErrorEntry,
} from './bdc-error-envelope.js';
import { toNetworkError } from '../net/network-error.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface BdcRequest {
  readonly method?: HttpMethod;
  /** Path under the base URL, e.g. `/rest/api/1.0/projects`. */
  readonly path: string;
  readonly query?: Query;
  /** Sent as JSON. */
  readonly json?: unknown;
  readonly signal?: AbortSignal;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for "does it exist?"). */
  readonly accept?: readonly number[];
}

export interface BdcResponse<T> {
  readonly status: number;
  readonly body: T;
  /** `X-AUSERNAME`: the user BDC served the request as; absent means anonymous. */
  readonly user: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** BDC's paging envelope (docs/bdc-rest-reference.md, Paging). */
export interface BdcPage<T> {
  readonly values: readonly T[];
  readonly isLastPage: boolean;
  readonly start: number;
  readonly limit: number;
  readonly size: number;
  readonly nextPageStart?: number;
}

export interface BdcClient {
  readonly baseUrl: string;
  request<T>(request: BdcRequest): Promise<BdcResponse<T>>;
  getJson<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T>;
  /** Every item of a paged resource, following `nextPageStart` (never `start + limit`). */
  paged<T>(
    path: string,
    query?: Query,
    options?: PagingOptions,
  ): AsyncGenerator<T, void, undefined>;
  close(): Promise<void>;
}

export interface PagingOptions {
  readonly limit?: number;
  /** A guard against a server that never says `isLastPage` (default 10 000 pages). */
  readonly maxPages?: number;
  readonly signal?: AbortSignal;
}

export interface BdcClientOptions {
  readonly baseUrl: string;
  /** Omitted for anonymous calls. */
  readonly authorization?: Authorization;
  readonly dispatcher: Dispatcher;
  /** Closed by `close()` when the client created it. */
  readonly ownsDispatcher?: boolean;
  readonly logger?: Logger;
  /** How many 429 answers are waited out before giving up (default 3). */
  readonly rateLimitRetries?: number;
  /** Longest single wait a `Retry-After` may impose (default 60 s); longer fails at once. */
  readonly maxRetryAfterMs?: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Largest response body read (default 32 MiB): a page of REST JSON is far smaller. */
  readonly maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

const SAFE_METHODS = new Set<HttpMethod>(['GET', 'HEAD']);

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CompanionError('OPERATION_CANCELLED', 'Cancelled while waiting to retry.'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CompanionError('OPERATION_CANCELLED', 'Cancelled while waiting to retry.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function buildUrl(baseUrl: string, path: string, query: Query | undefined): string {
  const url = new URL(`${baseUrl}/${path.replace(/^\/+/, '')}`);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url.toString();
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * The one authenticated REST client for BDC. It adds the credential (asking the Authorization
 * each time, so a refreshed OAuth token is used at once), refreshes once after a credential
 * failure, waits out 429s as `Retry-After` says, sends `X-Atlassian-Token: no-check` on writes,
 * and turns BDC's error envelope into catalogued errors. Logs carry method, path, status and
 * time — never a header, so the Authorization value cannot reach a log.
 */
export function createBdcClient(options: BdcClientOptions): BdcClient {
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? abortableSleep;
  const rateLimitRetries = options.rateLimitRetries ?? 3;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  async function send<T>(spec: BdcRequest): Promise<BdcResponse<T>> {
    const method = spec.method ?? 'GET';
    const url = buildUrl(baseUrl, spec.path, spec.query);
    let refreshed = false;
    let rateLimited = 0;
    for (;;) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': USER_AGENT,
      };
      if (options.authorization) headers['authorization'] = await options.authorization.header();
      if (!SAFE_METHODS.has(method)) headers['x-atlassian-token'] = 'no-check';
      if (spec.json !== undefined) headers['content-type'] = 'application/json';
      const started = Date.now();
      let status: number;
      let responseHeaders: Record<string, string>;
      let text: string;
      try {
        const response = await request(url, {
          method,
          headers,
          dispatcher: options.dispatcher,
          ...(spec.json === undefined ? {} : { body: JSON.stringify(spec.json) }),
          ...(spec.signal ? { signal: spec.signal } : {}),
        });
        status = response.statusCode;
        responseHeaders = flattenHeaders(response.headers);
        const what = `${method} ${spec.path}`;
        text = (
          await readBounded(
            response.body,
            maxResponseBytes,
            () =>
              new CompanionError(
                'BDC_RESPONSE_INVALID',
                `${what} answered with more than ${maxResponseBytes} bytes; that is not a Bitbucket REST response.`,
              ),
          )
        ).toString('utf8');
      } catch (error) {
        if (spec.signal?.aborted) {
          throw new CompanionError('OPERATION_CANCELLED', `${method} ${spec.path} was cancelled.`);
        }
        logger.debug('bdc request failed', { method, path: spec.path, ms: Date.now() - started });
        throw toNetworkError(error, `${method} ${baseUrl}${spec.path}`);
      }
      const user = responseHeaders['x-ausername'] || undefined;
      logger.debug('bdc request', { method, path: spec.path, status, ms: Date.now() - started });

      if (status === 429 && rateLimited < rateLimitRetries) {
        const wait = retryAfterMs(responseHeaders['retry-after']);
        if (wait <= maxRetryAfterMs) {
          rateLimited += 1;
          logger.info('bdc rate limited; waiting', { path: spec.path, waitMs: wait });
          await sleep(wait, spec.signal);
          continue;
        }
      }
      if (status === 401 && options.authorization && !refreshed) {
        const errors = parseBdcErrors(text);
        if (
          !isPermissionDenial(errors, user) &&
          (await refreshOnce(options.authorization, spec.path))
        ) {
          refreshed = true;
          continue;
        }
      }
      if ((status >= 200 && status < 300) || spec.accept?.includes(status)) {
        return {
          status,
          body: parseBody<T>(text, status, method, spec.path),
          user,
          headers: responseHeaders,
        };
      }
      throw statusError(
        status,
        text,
        user,
        method,
        spec.path,
        responseHeaders,
        options.authorization,
      );
    }
  }

  return {
    baseUrl,
    request: send,
    async getJson<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
      const response = await send<T>({
        path,
        ...(query ? { query } : {}),
        ...(signal ? { signal } : {}),
      });
      return response.body;
    },
    async *paged<T>(path: string, query: Query = {}, paging: PagingOptions = {}) {
      const maxPages = paging.maxPages ?? 10_000;
      let start = 0;
      for (let page = 0; page < maxPages; page += 1) {
        const response = await send<BdcPage<T>>({
          path,
          query: { ...query, start, ...(paging.limit ? { limit: paging.limit } : {}) },
          ...(paging.signal ? { signal: paging.signal } : {}),
        });
        const body = response.body;
        if (!body || !Array.isArray(body.values)) {
          throw new CompanionError(
            'BDC_RESPONSE_INVALID',
            `${path} did not answer with a page of values.`,
          );
        }
        yield* body.values;
        if (body.isLastPage !== false) return;
        const next = body.nextPageStart;
        if (typeof next !== 'number' || next <= start) {
          throw new CompanionError(
            'BDC_RESPONSE_INVALID',
            `${path} said more pages follow but gave no usable nextPageStart (start ${start}, next ${String(next)}).`,
          );
        }
        start = next;
      }
      throw new CompanionError(
        'BDC_RESPONSE_INVALID',
        `${path} kept paging beyond ${maxPages} pages.`,
      );
    },
    async close() {
      if (options.ownsDispatcher) await options.dispatcher.close();
    },
  };
}

/** Codes of a refresh that cannot succeed without the user: the sign-in is over. */
const SIGN_IN_OVER = new Set([
  'OAUTH_REFRESH_REJECTED',
  'OAUTH_CLIENT_REJECTED',
  'OAUTH_TOKENS_UNREADABLE',
]);

async function refreshOnce(authorization: Authorization, path: string): Promise<boolean> {
  try {
    return await authorization.refresh();
  } catch (error) {
    if (error instanceof CompanionError && SIGN_IN_OVER.has(error.code)) {
      throw new CompanionError(
        'AUTH_EXPIRED',
        `Bitbucket refused the sign-in of ${authorization.user} for ${path}, and refreshing it failed: ${error.message}`,
        { data: { refreshCode: error.code }, cause: error },
      );
    }
    throw error;
  }
}

function parseBody<T>(text: string, status: number, method: string, path: string): T {
  if (status === 204 || text.length === 0 || method === 'HEAD') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CompanionError(
      'BDC_RESPONSE_INVALID',
      `${method} ${path} answered ${status} with something that is not JSON (${text.slice(0, 60).replace(/\s+/g, ' ')}…).`,
    );
  }
}

function statusError(
  status: number,
  text: string,
  user: string | undefined,
  method: string,
  path: string,
  headers: Readonly<Record<string, string>>,
  authorization: Authorization | undefined,
): CompanionError {
  const errors: readonly BdcErrorEntry[] = parseBdcErrors(text);
  const said = describeBdcErrors(errors);
  const data = {
    status,
    path,
    ...(said ? { bdcMessage: said } : {}),
    ...(errors[0]?.exceptionName ? { exceptionName: errors[0].exceptionName } : {}),
  };
  const where = `${method} ${path}`;
  const bdcSays = said ? `: ${said}` : '';
  if (status === 401) {
    if (isPermissionDenial(errors, user)) {
      return new CompanionError(
        'AUTH_PERMISSION_DENIED',
        `Bitbucket refused ${where} for ${user ?? 'this user'}${bdcSays}`,
        { data },
      );
    }
    if (!authorization) {
      return new CompanionError(
        'AUTH_NOT_SIGNED_IN',
        `Bitbucket requires sign-in for ${where}${bdcSays}`,
        { data },
      );
    }
    return new CompanionError(
      'AUTH_EXPIRED',
      `Bitbucket did not accept the ${authorization.kind === 'pat' ? 'access token' : 'OAuth sign-in'} of ${authorization.user} for ${where}${bdcSays}`,
      { data },
    );
  }
  if (status === 403) {
    return new CompanionError('AUTH_PERMISSION_DENIED', `Bitbucket forbids ${where}${bdcSays}`, {
      data,
    });
  }
  if (status === 404)
    return new CompanionError('BDC_NOT_FOUND', `Bitbucket: not found (${where})${bdcSays}`, {
      data,
    });
  if (status === 409)
    return new CompanionError(
      'BDC_CONFLICT',
      `Bitbucket refused ${where} as conflicting${bdcSays}`,
      { data },
    );
  if (status === 429) {
    return new CompanionError(
      'BDC_RATE_LIMITED',
      `Bitbucket rate-limited ${where} (Retry-After: ${headers['retry-after'] ?? 'absent'})`,
      { data },
    );
  }
  if (status >= 300 && status < 400) {
    return new CompanionError(
      'BDC_RESPONSE_INVALID',
      `${where} was redirected (${status}) to ${(headers['location'] ?? '?').slice(0, 200)}; check the base URL and its context path.`,
      { data },
    );
  }
  if (status >= 500)
    return new CompanionError(
      'BDC_UNAVAILABLE',
      `Bitbucket failed ${where} with ${status}${bdcSays}`,
      { data },
    );
  return new CompanionError(
    'BDC_REQUEST_FAILED',
    `Bitbucket answered ${status} to ${where}${bdcSays}`,
    { data },
  );
}

/** A client for an installation: its CAs, its loopback setting, the instance address policy. */
export function bdcClientForInstallation(
  installation: Pick<Installation, 'baseUrl' | 'caPems' | 'allowLoopback' | 'allowPartialChain'>,
  authorization: Authorization | undefined,
  extra: {
    readonly logger?: Logger;
    readonly env: Readonly<Record<string, string | undefined>>;
  },
): BdcClient {
  const dispatcher = createDispatcher({
    ...installationNetworkOptions(installation),
    env: extra.env,
  });
  return createBdcClient({
    baseUrl: installation.baseUrl,
    dispatcher,
    ownsDispatcher: true,
    ...(authorization ? { authorization } : {}),
    ...(extra.logger ? { logger: extra.logger } : {}),
  });
}
