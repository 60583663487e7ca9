import type { Database } from 'better-sqlite3';
import { CompanionError } from '../../common/errors/companion-error.js';
import type {
  PushAttemptRecord,
  PushChangeKind,
  PushEngineName,
  PushHistoryEntry,
  PushHistoryPage,
  PushHistoryQuery,
  PushOrigin,
  PushSource,
} from '../../common/models/push.js';
import type { PushRecord } from '../git/push-operation.js';

export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 1000;

interface Row {
  id: number;
  at: string;
  installation_id: string;
  installation_name: string;
  user: string;
  repo: string;
  branch: string;
  message: string;
  paths: string;
  result: PushHistoryEntry['result'];
  commit_id: string | null;
  parent: string | null;
  engine: string | null;
  attempts: string;
  duration_ms: number;
  error_code: string | null;
  error_message: string | null;
  source: PushSource;
  request_id: string | null;
}

/** The paths of a push with their change kinds: exact when it landed, as requested otherwise. */
export function recordPaths(record: PushRecord): { path: string; kind: PushChangeKind }[] {
  if (record.result?.kind === 'committed') return record.paths.map((entry) => ({ ...entry }));
  return record.request.changes.map((change) => ({
    path: change.path,
    kind: change.kind === 'delete' ? 'delete' : 'put',
  }));
}

/**
 * Push history in the companion's SQLite database: one row per push, successful or not, with
 * every attempt. It holds no secret: messages of errors are the product's own, which never carry
 * credentials, and file contents are not stored.
 */
export class PushHistory {
  constructor(private readonly database: Database) {}

  record(record: PushRecord, origin: PushOrigin = { source: 'local' }): number {
    const result = record.result;
    const info = this.database
      .prepare(
        `INSERT INTO push_history (at, installation_id, installation_name, user, repo, branch, message, paths,
           result, commit_id, parent, engine, attempts, attempt_count, duration_ms, error_code, error_message,
           source, request_id)
         VALUES (@at, @installationId, @installationName, @user, @repo, @branch, @message, @paths,
           @result, @commit, @parent, @engine, @attempts, @attemptCount, @durationMs, @errorCode, @errorMessage,
           @source, @requestId)`,
      )
      .run({
        at: record.startedAt,
        installationId: record.installation.id,
        installationName: record.installation.name,
        user: record.user,
        repo: record.request.repo,
        branch: record.request.branch,
        message: record.request.message,
        paths: JSON.stringify(recordPaths(record)),
        result: result === undefined ? 'failed' : result.kind,
        commit: result?.kind === 'committed' ? result.commit : null,
        parent: result?.parent ?? null,
        engine: record.engine ?? null,
        attempts: JSON.stringify(record.attempts),
        attemptCount: record.attempts.length,
        durationMs: Math.round(record.durationMs),
        errorCode: record.error?.code ?? null,
        errorMessage: record.error?.message ?? null,
        source: origin.source,
        requestId: origin.requestId ?? null,
      });
    return Number(info.lastInsertRowid);
  }

  /** Newest first; `nextCursor` pages to older entries. */
  query(query: PushHistoryQuery = {}): PushHistoryPage {
    const limit = query.limit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
      throw new CompanionError(
        'HISTORY_QUERY_INVALID',
        `The limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}.`,
      );
    }
    if (query.before !== undefined && (!Number.isInteger(query.before) || query.before < 1)) {
      throw new CompanionError(
        'HISTORY_QUERY_INVALID',
        'The page cursor must be a positive whole number.',
      );
    }
    const clauses: string[] = [];
    const parameters: Record<string, string | number> = {};
    const filter = (column: string, name: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      clauses.push(`${column} = @${name}`);
      parameters[name] = value;
    };
    filter('installation_id', 'installationId', query.installationId);
    filter('installation_name', 'installationName', query.installationName);
    filter('repo', 'repo', query.repo);
    filter('branch', 'branch', query.branch);
    if (query.result === 'ok') clauses.push("result <> 'failed'");
    else filter('result', 'result', query.result);
    if (query.before !== undefined) {
      clauses.push('id < @before');
      parameters['before'] = query.before;
    }
    const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
    const rows = this.database
      .prepare(`SELECT * FROM push_history ${where} ORDER BY id DESC LIMIT ${limit + 1}`)
      .all(parameters) as Row[];
    const page = rows.slice(0, limit).map(toEntry);
    return {
      entries: page,
      nextCursor: rows.length > limit ? page[page.length - 1]?.id : undefined,
    };
  }
}

function toEntry(row: Row): PushHistoryEntry {
  return {
    id: row.id,
    at: row.at,
    installationId: row.installation_id,
    installationName: row.installation_name,
    user: row.user,
    repo: row.repo,
    branch: row.branch,
    message: row.message,
    paths: JSON.parse(row.paths) as PushHistoryEntry['paths'],
    result: row.result,
    commit: row.commit_id ?? undefined,
    parent: row.parent ?? undefined,
    engine: (row.engine ?? undefined) as PushEngineName | undefined,
    attempts: JSON.parse(row.attempts) as PushAttemptRecord[],
    durationMs: row.duration_ms,
    error:
      row.error_code === null
        ? undefined
        : { code: row.error_code, message: row.error_message ?? '' },
    source: row.source,
    requestId: row.request_id ?? undefined,
  };
}
