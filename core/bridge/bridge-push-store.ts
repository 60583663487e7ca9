import type { Database } from 'better-sqlite3';

/** What a push id has come to, as stored before the platform is answered. */
export type PushIdState =
  | { readonly kind: 'new' }
  | { readonly kind: 'done'; readonly result: Readonly<Record<string, unknown>> }
  /** Started by a process that ended before it stored the result (a crash, `kill -9`). */
  | { readonly kind: 'interrupted' };

interface Row {
  readonly state: 'running' | 'done';
  readonly result: string | null;
}

/**
 * The durable half of idempotent pushes (BRIDGE.md, `push`): a push id is claimed before the push
 * starts and its result written (a `synchronous=FULL` commit) before the answer is sent, so the
 * same id after a reconnect, a platform retry or a restart gets the stored result and pushes
 * nothing.
 */
export class BridgePushStore {
  constructor(private readonly database: Database) {}

  /** Claims the id; tells what an earlier claim came to. */
  claim(installationId: string, pushId: string, now: number): PushIdState {
    return this.database
      .transaction((): PushIdState => {
        const row = this.database
          .prepare<[string, string], Row>(
            'SELECT state, result FROM bridge_pushes WHERE installation_id = ? AND push_id = ?',
          )
          .get(installationId, pushId);
        if (row === undefined) {
          this.database
            .prepare(
              `INSERT INTO bridge_pushes (installation_id, push_id, state, started_at) VALUES (?, ?, 'running', ?)`,
            )
            .run(installationId, pushId, now);
          return { kind: 'new' };
        }
        if (row.state === 'done' && row.result !== null) {
          return { kind: 'done', result: JSON.parse(row.result) as Record<string, unknown> };
        }
        return { kind: 'interrupted' };
      })
      .immediate();
  }

  finish(
    installationId: string,
    pushId: string,
    result: Readonly<Record<string, unknown>>,
    now: number,
  ): void {
    this.database
      .prepare(
        `UPDATE bridge_pushes SET state = 'done', result = ?, finished_at = ? WHERE installation_id = ? AND push_id = ?`,
      )
      .run(JSON.stringify(result), now, installationId, pushId);
  }

  /** How many ids are stored (tests, diagnostics). */
  count(installationId: string): number {
    return (
      this.database
        .prepare<[string], { n: number }>(
          'SELECT COUNT(*) AS n FROM bridge_pushes WHERE installation_id = ?',
        )
        .get(installationId)?.n ?? 0
    );
  }
}
