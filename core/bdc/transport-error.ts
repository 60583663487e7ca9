import { CompanionError } from '../../common/errors/companion-error.js';
import type { ErrorCode } from '../../common/errors/catalogue.js';

const BY_CODE: Readonly<Record<string, ErrorCode>> = {
  ECONNREFUSED: 'CONNECT_REFUSED',
  ECONNRESET: 'NETWORK_FAILED',
  EHOSTUNREACH: 'CONNECT_FAILED',
  ENETUNREACH: 'CONNECT_FAILED',
  ETIMEDOUT: 'CONNECT_TIMEOUT',
  UND_ERR_CONNECT_TIMEOUT: 'CONNECT_TIMEOUT',
  UND_ERR_HEADERS_TIMEOUT: 'REQUEST_TIMEOUT',
  UND_ERR_BODY_TIMEOUT: 'REQUEST_TIMEOUT',
  ENOTFOUND: 'DNS_NOT_FOUND',
  EAI_AGAIN: 'DNS_FAILED',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS_UNTRUSTED',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS_UNTRUSTED',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS_UNTRUSTED',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS_UNTRUSTED',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS_UNTRUSTED',
  CERT_HAS_EXPIRED: 'TLS_EXPIRED',
  CERT_NOT_YET_VALID: 'TLS_EXPIRED',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS_HOSTNAME_MISMATCH',
};

/**
 * Maps a failure below HTTP (DNS, TCP, TLS, timeouts) to its catalogued code. Errors already
 * coded (the address policy's INSTANCE_ADDRESS_FORBIDDEN) pass through unchanged.
 */
export function transportError(error: unknown, target: string): CompanionError {
  if (error instanceof CompanionError) return error;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    if (current instanceof CompanionError) return current;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && BY_CODE[code]) {
      const message = current instanceof Error ? current.message : String(current);
      return new CompanionError(BY_CODE[code], `${target}: ${message}`, { cause: error });
    }
    current = (current as { cause?: unknown }).cause;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CompanionError('NETWORK_FAILED', `${target}: ${message}`, { cause: error });
}
