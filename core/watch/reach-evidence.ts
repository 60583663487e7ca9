import type { Database } from 'better-sqlite3';
import type { ReachEvidence } from '../../common/models/watch.js';

/**
 * BDC's last webhook test, kept for choosing the mode: `webhooks register` has BDC test the relay
 * URL; whether that ping arrived is the evidence that BDC can (or cannot) reach the relay.
 */
export function recordReachEvidence(
  database: Database,
  installationId: string,
  evidence: { readonly at: number; readonly reached: boolean; readonly reason?: string },
): void {
  database
    .prepare(
      `INSERT INTO watch_evidence (installation_id, tested_at, reached, reason)
       VALUES (@installationId, @at, @reached, @reason)
       ON CONFLICT (installation_id) DO UPDATE SET tested_at = excluded.tested_at,
         reached = excluded.reached, reason = excluded.reason`,
    )
    .run({
      installationId,
      at: evidence.at,
      reached: evidence.reached ? 1 : 0,
      reason: evidence.reason ?? null,
    });
}

export function readReachEvidence(
  database: Database,
  installationId: string,
): ReachEvidence | undefined {
  const row = database
    .prepare('SELECT tested_at, reached, reason FROM watch_evidence WHERE installation_id = ?')
    .get(installationId) as
    { tested_at: number; reached: number; reason: string | null } | undefined;
  if (row === undefined) return undefined;
  return {
    testedAt: new Date(row.tested_at).toISOString(),
    reached: row.reached === 1,
    reason: row.reason ?? undefined,
  };
}
