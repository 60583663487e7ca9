import { createHash, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/**
 * "BDC reached this relay", proven with a one-time nonce (docs/bdc-rest-reference.md, webhook
 * test call).
 *
 * BDC's test ping (`diagnostics:ping`, body `{"test":true}`) is unsigned, and even a signed one
 * would be the same bytes every time, so neither can show who sent it. Instead the companion asks
 * BDC to test the relay URL with a fresh random nonce in the query (`?bdcReach=…`): only the
 * companion and BDC know it (it travels over BDC's REST API and BDC's own request), a ping counts
 * only when it carries a nonce that was issued, has not expired and has not been used, and using
 * it burns it. The nonce is stored hashed, so the database never holds a live one.
 */
export const REACH_PARAMETER = 'bdcReach';
export const REACH_TTL_MS = 2 * 60_000;

function hashOf(nonce: string): string {
  return createHash('sha256').update(nonce, 'utf8').digest('hex');
}

/** Issues a nonce for `installationId` and returns it with the URL BDC should test. */
export function issueReachNonce(
  database: Database,
  installationId: string,
  relayUrl: string,
  now: number,
): { readonly nonce: string; readonly testUrl: string } {
  const nonce = randomBytes(24).toString('base64url');
  database
    .prepare(
      `INSERT INTO relay_reach_nonces (installation_id, nonce_hash, issued_at, expires_at)
       VALUES (?, ?, ?, ?)`,
    )
    .run(installationId, hashOf(nonce), now, now + REACH_TTL_MS);
  // Expired nonces are of no use to anyone; drop them while we are here.
  database
    .prepare(`DELETE FROM relay_reach_nonces WHERE expires_at < ? AND proven_at IS NULL`)
    .run(now - REACH_TTL_MS);
  const url = new URL(relayUrl);
  url.searchParams.set(REACH_PARAMETER, nonce);
  return { nonce, testUrl: url.toString() };
}

/** The nonce a request's target carries, if any (at most 128 characters are considered). */
export function reachNonceOf(requestUrl: string | undefined): string | undefined {
  const query = (requestUrl ?? '').split('?')[1];
  if (query === undefined || query.length > 1024) return undefined;
  const value = new URLSearchParams(query).get(REACH_PARAMETER);
  return value !== null && value.length > 0 && value.length <= 128 ? value : undefined;
}

/**
 * Burns the nonce of a ping: true exactly once for an issued, unexpired nonce of this
 * installation; false for no nonce, an unknown, expired or already used one.
 */
export function claimReachNonce(
  database: Database,
  installationId: string,
  nonce: string | undefined,
  now: number,
): boolean {
  if (nonce === undefined) return false;
  const result = database
    .prepare(
      `UPDATE relay_reach_nonces SET proven_at = ?
       WHERE installation_id = ? AND nonce_hash = ? AND proven_at IS NULL AND expires_at >= ?`,
    )
    .run(now, installationId, hashOf(nonce), now);
  return result.changes === 1;
}

/** Whether a ping with this nonce reached the relay. */
export function reachProven(database: Database, installationId: string, nonce: string): boolean {
  const row = database
    .prepare(
      `SELECT proven_at FROM relay_reach_nonces WHERE installation_id = ? AND nonce_hash = ?`,
    )
    .get(installationId, hashOf(nonce)) as { proven_at: number | null } | undefined;
  return row !== undefined && row.proven_at !== null;
}
