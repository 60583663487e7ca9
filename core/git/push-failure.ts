import { CompanionError } from '../../common/errors/companion-error.js';
import type { ErrorCode } from '../../common/errors/catalogue.js';

/**
 * Why an attempt failed, and whether another attempt can help:
 * - `conflict`: the branch moved (non-fast-forward, fetch first, failed to update ref): re-fetch,
 *   re-apply, push again;
 * - `transient`: the network or the server hiccuped (reset, timeout, 5xx);
 * - `fatal`: no retry helps (hook, credentials, permission, missing repository, TLS, bad input).
 */
export type Retry = 'conflict' | 'transient' | 'fatal';

export class AttemptFailure extends Error {
  constructor(
    readonly retry: Retry,
    readonly error: CompanionError,
  ) {
    super(error.message);
    this.name = 'AttemptFailure';
  }
}

/**
 * Anything an engine threw, as an attempt failure: attempt failures pass through, product errors
 * keep their code, and anything else (a bug, an unexpected library error) is a fatal
 * GIT_ENGINE_FAILED that no retry would cure.
 */
export function asAttemptFailure(error: unknown, messagePrefix = ''): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  if (error instanceof CompanionError) return new AttemptFailure('fatal', error);
  const detail = error instanceof Error ? error.message : String(error);
  return new AttemptFailure(
    'fatal',
    new CompanionError('GIT_ENGINE_FAILED', `${messagePrefix}${detail}`),
  );
}

/** The serialisable form, for crossing the worker boundary. */
export interface AttemptFailureShape {
  readonly retry: Retry;
  readonly code: string;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export function failure(
  retry: Retry,
  code: ErrorCode,
  message: string,
  data?: Readonly<Record<string, unknown>>,
): AttemptFailure {
  return new AttemptFailure(
    retry,
    new CompanionError(code, message, data === undefined ? {} : { data }),
  );
}

/** Reasons receive-pack gives when the ref moved under us (git's `ng` texts and push summaries). */
const CONFLICT_TEXTS = [
  'non-fast-forward',
  'fetch first',
  'failed to update ref',
  'cannot lock ref',
  'failed to lock',
  'stale info',
  'incorrect old value',
];

const HOOK_TEXTS = ['hook declined', 'pre-receive hook', 'update hook'];

/**
 * Classifies a refusal of one ref in receive-pack's report (`ng <ref> <reason>`). `movedTo` is
 * where the refusal said the branch stands, when it said so: kept on a conflict as `data.tip`.
 */
export function classifyRefRejection(
  reason: string,
  hookText: string,
  ref: string,
  movedTo?: string,
): AttemptFailure {
  const lower = reason.toLowerCase();
  if (HOOK_TEXTS.some((text) => lower.includes(text))) {
    const text = hookText.trim();
    return failure(
      'fatal',
      'HOOK_REJECTED',
      text === '' ? `Bitbucket refused the update of ${ref}: ${reason}` : text,
      { ref, reason, hookText: text },
    );
  }
  if (CONFLICT_TEXTS.some((text) => lower.includes(text))) {
    return failure(
      'conflict',
      'PUSH_CONFLICT_EXHAUSTED',
      `The branch moved during the push (${reason}).`,
      {
        ref,
        reason,
        ...(movedTo === undefined ? {} : { tip: movedTo }),
      },
    );
  }
  return failure('fatal', 'PUSH_REJECTED', `Bitbucket refused the update of ${ref}: ${reason}`, {
    ref,
    reason,
  });
}

/** Where a conflict's refusal said the branch stands now (`classifyRefRejection`'s `movedTo`). */
export function refusedAtTip(failure: AttemptFailure | undefined): string | undefined {
  if (failure?.retry !== 'conflict') return undefined;
  const tip = failure.error.data?.['tip'];
  return typeof tip === 'string' && /^[0-9a-f]{40}$/.test(tip) ? tip : undefined;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function errorChain(error: unknown): { code?: unknown; message?: unknown }[] {
  const chain: { code?: unknown; message?: unknown }[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    chain.push(current as { code?: unknown; message?: unknown });
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** Classifies an HTTP status of a Git request. */
export function classifyStatus(status: number, what: string): AttemptFailure {
  if (status === 401)
    return failure(
      'fatal',
      'PUSH_AUTH_FAILED',
      `Bitbucket refused the credential (HTTP 401) for ${what}.`,
      { status },
    );
  if (status === 403) {
    return failure(
      'fatal',
      'PUSH_PERMISSION_DENIED',
      `The credential may not write to ${what} (HTTP 403).`,
      { status },
    );
  }
  if (status === 404)
    return failure(
      'fatal',
      'REPOSITORY_NOT_FOUND',
      `Bitbucket has no repository at ${what} (HTTP 404).`,
      { status },
    );
  if (status === 408 || status === 429 || status >= 500) {
    return failure(
      'transient',
      'PUSH_NETWORK_FAILED',
      `Bitbucket answered HTTP ${status} for ${what}.`,
      { status },
    );
  }
  return failure(
    'fatal',
    'PUSH_PROTOCOL_FAILED',
    `Bitbucket answered HTTP ${status} for ${what}.`,
    { status },
  );
}

/**
 * Classifies anything thrown by a transport (undici, isomorphic-git) into an attempt failure.
 * Codes, not messages, decide where they exist.
 */
export function classifyTransportError(error: unknown, what: string): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  if (error instanceof CompanionError) return new AttemptFailure('fatal', error);
  for (const link of errorChain(error)) {
    const code = typeof link.code === 'string' ? link.code : '';
    if (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) {
      return failure(
        'fatal',
        'PUSH_TLS_FAILED',
        `The TLS connection for ${what} could not be verified (${code}).`,
        { tlsCode: code },
      );
    }
    if (code === 'HttpError') {
      const status = (link as { data?: { statusCode?: number } }).data?.statusCode;
      if (typeof status === 'number') return classifyStatus(status, what);
    }
    if (code === 'SmartHttpError') {
      return failure(
        'fatal',
        'PUSH_PROTOCOL_FAILED',
        `Bitbucket did not answer ${what} with the Git protocol.`,
      );
    }
    if (
      code.startsWith('UND_ERR') ||
      [
        'ECONNRESET',
        'ECONNREFUSED',
        'ETIMEDOUT',
        'EPIPE',
        'ENOTFOUND',
        'EAI_AGAIN',
        'EHOSTUNREACH',
        'ENETUNREACH',
      ].includes(code)
    ) {
      return failure(
        'transient',
        'PUSH_NETWORK_FAILED',
        `The connection for ${what} failed (${code}).`,
        { networkCode: code },
      );
    }
    if (code === 'ADDRESS_REFUSED' || code.startsWith('ADDRESS_')) {
      return new AttemptFailure(
        'fatal',
        new CompanionError('PUSH_NETWORK_FAILED', `${String(link.message)}`, {
          data: { networkCode: code },
        }),
      );
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return failure('fatal', 'GIT_ENGINE_FAILED', `${what} failed: ${message}`);
}
