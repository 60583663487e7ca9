import { CompanionError } from '../../../common/errors/companion-error.js';

/**
 * The OAuth tokens of one installation, stored as ONE secret (kind `oauth-tokens`) so that a
 * rotation is written atomically: the keychain holds either the whole old set or the whole new
 * one, never a new access token beside a dead refresh token.
 */
export interface OAuthTokenSet {
  readonly version: 1;
  readonly clientId: string;
  readonly accessToken: string;
  /** BDC always issues one; absent only if a server does not. */
  readonly refreshToken: string | undefined;
  /** Epoch ms at which the access token stops working (from `expires_in`). */
  readonly expiresAt: number;
  readonly scope: string;
  /** The BDC user (`X-AUSERNAME`) the tokens act as. */
  readonly user: string;
  /** Epoch ms the set was issued; refresh tokens live 90 days from their creation. */
  readonly obtainedAt: number;
}

export function serializeTokenSet(set: OAuthTokenSet): string {
  return JSON.stringify(set);
}

export function parseTokenSet(stored: string): OAuthTokenSet {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    throw unreadable('it is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw unreadable('it is not an object');
  const record = value as Record<string, unknown>;
  if (record['version'] !== 1) throw unreadable(`unknown version ${String(record['version'])}`);
  const text = (name: string): string => {
    const field = record[name];
    if (typeof field !== 'string' || field === '') throw unreadable(`${name} is missing`);
    return field;
  };
  const number = (name: string): number => {
    const field = record[name];
    if (typeof field !== 'number' || !Number.isFinite(field))
      throw unreadable(`${name} is missing`);
    return field;
  };
  const refresh = record['refreshToken'];
  return {
    version: 1,
    clientId: text('clientId'),
    accessToken: text('accessToken'),
    refreshToken: typeof refresh === 'string' && refresh !== '' ? refresh : undefined,
    expiresAt: number('expiresAt'),
    scope: typeof record['scope'] === 'string' ? record['scope'] : '',
    user: text('user'),
    obtainedAt: number('obtainedAt'),
  };
}

function unreadable(why: string): CompanionError {
  // The reason names a field, never a value: the value may be a token.
  return new CompanionError(
    'OAUTH_TOKENS_UNREADABLE',
    `The stored OAuth tokens are unreadable: ${why}.`,
  );
}

/** Refresh this long before expiry, so a request never leaves with a token about to die. */
export const REFRESH_MARGIN_MS = 60_000;

export function needsRefresh(
  set: OAuthTokenSet,
  now: number,
  marginMs = REFRESH_MARGIN_MS,
): boolean {
  return now >= set.expiresAt - marginMs;
}
