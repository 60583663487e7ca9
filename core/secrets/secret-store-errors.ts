import { CompanionError } from '../../common/errors/companion-error.js';
import type { SecretStoreHealth } from './secret-store.js';

export type SecretStoreFailure = Exclude<SecretStoreHealth, { ok: true }>;
export type SecretStoreFailureReason = SecretStoreFailure['reason'];

/**
 * Keychain libraries report failures as free text. These are the signatures seen on Linux
 * (libsecret over D-Bus), macOS (Security framework) and Windows (Credential Manager), grouped by
 * what the user can do about them (docs/testing.md, failure signatures).
 */
const SIGNATURES: readonly (readonly [SecretStoreFailureReason, RegExp])[] = [
  // @napi-rs/keyring's wording when there is no D-Bus at all, despite the "AccessDenied" in it.
  ['unavailable', /couldn't access platform storage/i],
  // GDBus when DBUS_SESSION_BUS_ADDRESS points at no bus (a stale session, a service without one).
  ['unavailable', /^could not connect:/i],
  [
    'locked',
    /locked collection|collection\/login|no result found|is locked|-25308|interaction ?not ?allowed|timed out/i,
  ],
  [
    'denied',
    /access ?denied|not authori[sz]ed|user cancel|-128\b|-25293|auth ?failed|permission denied|EACCES/i,
  ],
  [
    'unavailable',
    /autolaunch d-bus|dbus|secrets was not provided|ServiceUnknown|libsecret|cannot find (module|package)|ERR_DLOPEN_FAILED|ERR_MODULE_NOT_FOUND|platform storage|no such interface|not supported/i,
  ],
];

export function classifySecretStoreError(detail: string): SecretStoreFailureReason {
  for (const [reason, pattern] of SIGNATURES) if (pattern.test(detail)) return reason;
  return 'error';
}

const CODES = {
  unavailable: 'SECRET_STORE_UNAVAILABLE',
  locked: 'SECRET_STORE_LOCKED',
  denied: 'SECRET_STORE_DENIED',
  error: 'SECRET_STORE_FAILED',
} as const;

export function secretStoreError(
  failure: SecretStoreFailure,
  what: string,
  cause?: unknown,
): CompanionError {
  return new CompanionError(CODES[failure.reason], `${what}: ${failure.detail}`, {
    data: { reason: failure.reason },
    cause,
  });
}

export function errorDetail(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
