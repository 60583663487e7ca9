import type { ErrorCode } from '../../common/errors/catalogue.js';
import { CompanionError } from '../../common/errors/companion-error.js';

/** Node/OpenSSL verification reasons that mean "the chain does not end at a trusted CA". */
const UNTRUSTED_REASONS: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'CERT_REJECTED',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
]);

/** Maps a TLS verification reason (`socket.authorizationError` or `error.code`) to a code. */
export function tlsFailureCode(reason: string): ErrorCode | undefined {
  if (UNTRUSTED_REASONS.has(reason)) return 'TLS_UNTRUSTED';
  if (reason === 'CERT_HAS_EXPIRED' || reason === 'CERT_NOT_YET_VALID') return 'TLS_EXPIRED';
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID' || reason === 'HOSTNAME_MISMATCH') {
    return 'TLS_HOSTNAME_MISMATCH';
  }
  if (reason.startsWith('ERR_SSL_') || reason === 'EPROTO') return 'TLS_HANDSHAKE_FAILED';
  return undefined;
}

const SYSTEM_CODES: Readonly<Record<string, ErrorCode>> = {
  ENOTFOUND: 'DNS_NOT_FOUND',
  EAI_NONAME: 'DNS_NOT_FOUND',
  EAI_NODATA: 'DNS_NOT_FOUND',
  EAI_AGAIN: 'DNS_FAILED',
  EAI_FAIL: 'DNS_FAILED',
  ECONNREFUSED: 'CONNECT_REFUSED',
  ETIMEDOUT: 'CONNECT_TIMEOUT',
  UND_ERR_CONNECT_TIMEOUT: 'CONNECT_TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'REQUEST_TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'REQUEST_TIMEOUT',
  EHOSTUNREACH: 'CONNECT_FAILED',
  ENETUNREACH: 'CONNECT_FAILED',
  EHOSTDOWN: 'CONNECT_FAILED',
  ECONNRESET: 'CONNECT_FAILED',
  EPIPE: 'CONNECT_FAILED',
  UND_ERR_SOCKET: 'CONNECT_FAILED',
  UND_ERR_CLOSED: 'CONNECT_FAILED',
};

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * Turns whatever undici, `net` or `tls` threw into a catalogued CompanionError, so every caller of
 * the factory reports network failures with the same codes the probe uses. `target` names what
 * was being reached (a host or URL, never one with credentials).
 */
export function toNetworkError(error: unknown, target: string): CompanionError {
  for (const item of causes(error)) {
    if (item instanceof CompanionError) return item;
  }
  for (const item of causes(error)) {
    const name = (item as { name?: unknown }).name;
    const code = (item as { code?: unknown }).code;
    const message = String((item as { message?: unknown }).message ?? '');
    // Checked before AbortError: undici reports a refused CONNECT as a RequestAbortedError
    // ("Proxy response (407) !== 200 when HTTP Tunneling"), which is not a cancellation.
    if (/proxy/i.test(message) && /tunnel|response|407|connect/i.test(message)) {
      const status = /\((\d{3})\)/.exec(message)?.[1];
      const why =
        status === '407'
          ? 'the proxy asked for a user name and password it did not get or did not accept (HTTP 407)'
          : status === undefined
            ? message
            : `the proxy answered HTTP ${status} instead of opening a tunnel`;
      return new CompanionError(
        'PROXY_FAILED',
        `The proxy failed the connection to ${target}: ${why}.`,
        {
          cause: error,
          ...(status === undefined ? {} : { data: { status: Number(status) } }),
        },
      );
    }
    if (name === 'AbortError' || name === 'TimeoutError') {
      return name === 'TimeoutError'
        ? new CompanionError('REQUEST_TIMEOUT', `${target} did not answer in time.`, {
            cause: error,
          })
        : new CompanionError('OPERATION_CANCELLED', `The request to ${target} was cancelled.`, {
            cause: error,
          });
    }
    if (typeof code !== 'string') continue;
    const tlsCode = tlsFailureCode(code);
    if (tlsCode !== undefined) {
      return new CompanionError(tlsCode, `TLS to ${target} failed: ${code} (${message}).`, {
        cause: error,
        data: { reason: code },
      });
    }
    const mapped = SYSTEM_CODES[code];
    if (mapped !== undefined) {
      return new CompanionError(mapped, `${target}: ${message || code}`, {
        cause: error,
        data: { reason: code },
      });
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CompanionError('NETWORK_FAILED', `The request to ${target} failed: ${message}`, {
    cause: error,
  });
}
