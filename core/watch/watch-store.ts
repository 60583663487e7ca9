import type { Database, Statement } from 'better-sqlite3';
import type { WatchStatus } from '../../common/models/watch.js';
import type { RefChange } from './ref-changes.js';
import type { RefState } from './ref-advertisement.js';

export type ChangeSource = 'webhook' | 'watch';

/** How long a change seen by one source keeps the other from sending it again. */
export function dedupWindowMs(intervalSeconds: number): number {
  return Math.max(10 * 60_000, 2 * intervalSeconds * 1000 + 60_000);
}

/**
 * The watch's durable state in the companion database (schema in `watch-migrations.ts`). Every
 * method is synchronous and meant to run inside the caller's transaction (the relay's group
 * commit), so queueing an event and moving the stored refs commit together.
 */
export class WatchStore {
  private readonly statements: {
    refs: Statement;
    upsertRef: Statement;
    deleteRef: Statement;
    repository: Statement;
    baseline: Statement;
    polled: Statement;
    failed: Statement;
    log: Statement;
    covered: Statement;
    prune: Statement;
    state: Statement;
    bump: Statement;
    stateError: Statement;
    dedup: Statement;
    forget: Statement;
    forgetRefs: Statement;
    watched: Statement;
  };

  constructor(readonly database: Database) {
    const db = database;
    this.statements = {
      refs: db.prepare(
        'SELECT ref, hash FROM watch_refs WHERE installation_id = ? AND repository = ?',
      ),
      upsertRef: db.prepare(
        `INSERT INTO watch_refs (installation_id, repository, ref, hash, seen_at)
         VALUES (@installationId, @repository, @ref, @hash, @at)
         ON CONFLICT (installation_id, repository, ref) DO UPDATE SET hash = excluded.hash,
           seen_at = excluded.seen_at`,
      ),
      deleteRef: db.prepare(
        'DELETE FROM watch_refs WHERE installation_id = ? AND repository = ? AND ref = ?',
      ),
      repository: db.prepare(
        `SELECT baseline_at FROM watch_repositories WHERE installation_id = ? AND repository = ?`,
      ),
      baseline: db.prepare(
        `INSERT INTO watch_repositories (installation_id, repository, baseline_at, last_poll_at)
         VALUES (@installationId, @repository, @at, @at)
         ON CONFLICT (installation_id, repository) DO UPDATE SET baseline_at = excluded.baseline_at,
           last_poll_at = excluded.last_poll_at, last_error = NULL, last_error_at = NULL`,
      ),
      polled: db.prepare(
        `UPDATE watch_repositories SET last_poll_at = @at, last_error = NULL, last_error_at = NULL
         WHERE installation_id = @installationId AND repository = @repository`,
      ),
      failed: db.prepare(
        `INSERT INTO watch_repositories (installation_id, repository, last_error, last_error_at)
         VALUES (@installationId, @repository, @error, @at)
         ON CONFLICT (installation_id, repository) DO UPDATE SET last_error = excluded.last_error,
           last_error_at = excluded.last_error_at`,
      ),
      log: db.prepare(
        `INSERT INTO ref_change_log (installation_id, repository, ref, to_hash, source, seen_at)
         VALUES (@installationId, @repository, @ref, @toHash, @source, @at)`,
      ),
      covered: db.prepare(
        `SELECT 1 FROM ref_change_log WHERE installation_id = @installationId
           AND repository = @repository AND ref = @ref AND to_hash = @toHash AND source = @source
           AND seen_at >= @since LIMIT 1`,
      ),
      prune: db.prepare('DELETE FROM ref_change_log WHERE seen_at < ?'),
      state: db.prepare('SELECT * FROM watch_state WHERE installation_id = ?'),
      bump: db.prepare(
        `INSERT INTO watch_state (installation_id, last_poll_at, events, deduplicated)
         VALUES (@installationId, @at, @events, @deduplicated)
         ON CONFLICT (installation_id) DO UPDATE SET
           last_poll_at = MAX(COALESCE(last_poll_at, 0), excluded.last_poll_at),
           events = events + excluded.events, deduplicated = deduplicated + excluded.deduplicated`,
      ),
      stateError: db.prepare(
        `INSERT INTO watch_state (installation_id, last_error, last_error_at)
         VALUES (@installationId, @error, @at)
         ON CONFLICT (installation_id) DO UPDATE SET last_error = excluded.last_error,
           last_error_at = excluded.last_error_at`,
      ),
      dedup: db.prepare(
        `INSERT INTO watch_state (installation_id, deduplicated) VALUES (?, 1)
         ON CONFLICT (installation_id) DO UPDATE SET deduplicated = deduplicated + 1`,
      ),
      forget: db.prepare(
        'DELETE FROM watch_repositories WHERE installation_id = ? AND repository = ?',
      ),
      forgetRefs: db.prepare('DELETE FROM watch_refs WHERE installation_id = ? AND repository = ?'),
      watched: db.prepare(
        'SELECT repository FROM watch_repositories WHERE installation_id = ? ORDER BY repository',
      ),
    };
  }

  /** The refs last reported for a repository, or undefined before its first (baseline) poll. */
  storedRefs(installationId: string, repository: string): Map<string, string> | undefined {
    const row = this.statements.repository.get(installationId, repository) as
      { baseline_at: number | null } | undefined;
    if (row === undefined || row.baseline_at === null) return undefined;
    const rows = this.statements.refs.all(installationId, repository) as {
      ref: string;
      hash: string;
    }[];
    return new Map(rows.map((entry) => [entry.ref, entry.hash]));
  }

  /**
   * The first poll of a repository: its refs are where watching starts. No events — the watch
   * cannot know what happened before it looked.
   */
  recordBaseline(
    installationId: string,
    repository: string,
    refs: ReadonlyMap<string, RefState>,
    at: number,
  ): void {
    this.statements.forgetRefs.run(installationId, repository);
    for (const [ref, state] of refs) {
      this.statements.upsertRef.run({ installationId, repository, ref, hash: state.hash, at });
    }
    this.statements.baseline.run({ installationId, repository, at });
  }

  /** Moves the stored refs to where the changes took them. */
  applyChanges(
    installationId: string,
    repository: string,
    changes: readonly RefChange[],
    at: number,
  ): void {
    for (const change of changes) {
      if (change.type === 'DELETE')
        this.statements.deleteRef.run(installationId, repository, change.ref);
      else {
        this.statements.upsertRef.run({
          installationId,
          repository,
          ref: change.ref,
          hash: change.toHash,
          at,
        });
      }
    }
  }

  recordPoll(installationId: string, repository: string, at: number): void {
    this.statements.polled.run({ installationId, repository, at });
  }

  recordFailure(installationId: string, repository: string, error: string, at: number): void {
    this.statements.failed.run({ installationId, repository, error, at });
    this.statements.stateError.run({ installationId, error: `${repository}: ${error}`, at });
  }

  /** A failure not tied to one repository (a project listing, BDC busy). */
  recordError(installationId: string, error: string, at: number): void {
    this.statements.stateError.run({ installationId, error, at });
  }

  /** Counts a poll round: when it ended, events queued, changes left to the other source. */
  recordRound(
    installationId: string,
    at: number,
    counts: { readonly events: number; readonly deduplicated: number },
  ): void {
    this.statements.bump.run({ installationId, at, ...counts });
  }

  /** Counts a BDC delivery not forwarded because the watch had already sent its changes. */
  countDeduplicated(installationId: string): void {
    this.statements.dedup.run(installationId);
  }

  logChange(
    installationId: string,
    repository: string,
    change: { readonly ref: string; readonly toHash: string },
    source: ChangeSource,
    at: number,
  ): void {
    this.statements.log.run({
      installationId,
      repository,
      ref: change.ref,
      toHash: change.toHash,
      source,
      at,
    });
  }

  /** Whether `source` already reported the ref moving to this hash since `since`. */
  seenBy(
    installationId: string,
    repository: string,
    change: { readonly ref: string; readonly toHash: string },
    source: ChangeSource,
    since: number,
  ): boolean {
    return (
      this.statements.covered.get({
        installationId,
        repository,
        ref: change.ref,
        toHash: change.toHash,
        source,
        since,
      }) !== undefined
    );
  }

  pruneLog(before: number): number {
    return this.statements.prune.run(before).changes;
  }

  /** Forgets repositories no longer watched, so watching them again starts from a new baseline. */
  forgetOthers(installationId: string, keep: ReadonlySet<string>): void {
    const rows = this.statements.watched.all(installationId) as { repository: string }[];
    for (const { repository } of rows) {
      if (keep.has(repository)) continue;
      this.statements.forget.run(installationId, repository);
      this.statements.forgetRefs.run(installationId, repository);
    }
  }

  status(
    installationId: string,
    settings: { readonly enabled: boolean; readonly intervalSeconds: number | undefined },
  ): WatchStatus {
    const state = this.statements.state.get(installationId) as
      | {
          last_poll_at: number | null;
          events: number;
          deduplicated: number;
          last_error: string | null;
          last_error_at: number | null;
        }
      | undefined;
    const watched = settings.enabled
      ? (this.statements.watched.all(installationId) as unknown[]).length
      : 0;
    return {
      enabled: settings.enabled,
      intervalSeconds: settings.intervalSeconds,
      watched,
      lastPollAt:
        state?.last_poll_at === null || state?.last_poll_at === undefined
          ? undefined
          : new Date(state.last_poll_at).toISOString(),
      events: state?.events ?? 0,
      deduplicated: state?.deduplicated ?? 0,
      lastError:
        state?.last_error === null ||
        state?.last_error === undefined ||
        state.last_error_at === null
          ? undefined
          : { at: new Date(state.last_error_at).toISOString(), message: state.last_error },
    };
  }
}
