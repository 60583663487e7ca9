/**
 * The push capability's contract: what a caller asks for, what it gets back, what it can watch,
 * and how a recorded push looks in the history. Plain data, so it crosses IPC and worker threads.
 */

/**
 * Content is bytes: binary files pass through untouched. A change without a kind puts content;
 * the kind alone says a path is deleted (no second flag to disagree with it).
 */
export type PushChange =
  | { readonly kind?: 'put'; readonly path: string; readonly content: Uint8Array }
  | { readonly kind: 'delete'; readonly path: string };

export type PushEngineChoice = 'auto' | 'isomorphic-git' | 'git';
export type PushEngineName = 'isomorphic-git' | 'git';

export interface PushAuthor {
  readonly name: string;
  readonly email: string;
}

export interface PushRequest {
  /** `PROJECT/slug` */
  readonly repo: string;
  readonly branch: string;
  readonly message: string;
  /** Defaults to the signed-in user. */
  readonly author?: PushAuthor;
  readonly changes: readonly PushChange[];
  /** When `branch` does not exist yet, create it from this branch's tip. */
  readonly createFrom?: string;
  readonly engine?: PushEngineChoice;
  /**
   * Land only if `branch` stands at exactly this commit (full id): the commit is built on it and
   * the update is refused with PUSH_TIP_MOVED, never rebased, when the branch is anywhere else.
   */
  readonly expectedTip?: string;
}

export interface PushCommitted {
  readonly kind: 'committed';
  readonly commit: string;
  /** The tip the commit was built on; the branch moved from here to `commit` (fast-forward). */
  readonly parent: string;
  readonly engine: PushEngineName;
  readonly attempts: number;
  readonly durationMs: number;
  /** How many paths the commit changes. */
  readonly changed: number;
}

/** Nothing to commit: the branch already holds the changes; `parent` is its unchanged tip. */
export interface PushNoop {
  readonly kind: 'noop';
  readonly parent: string;
  readonly engine: PushEngineName;
  readonly attempts: number;
  readonly durationMs: number;
}

export type PushResult = PushCommitted | PushNoop;

export type PushPhase = 'lock' | 'fetch' | 'build' | 'push' | 'retry';

/** Progress of one push; `done`/`total` are objects, files or bytes depending on the phase. */
export interface PushProgress {
  readonly phase: PushPhase;
  readonly attempt: number;
  readonly done?: number;
  readonly total?: number;
  readonly detail?: string;
}

export interface PushAttemptRecord {
  readonly attempt: number;
  readonly startedAt: string;
  readonly durationMs: number;
  /** The tip the attempt built on, when it got that far. */
  readonly base?: string;
  readonly outcome: 'ok' | 'noop' | 'retry' | 'failed';
  readonly error?: { readonly code: string; readonly message: string };
}

/** `put`: a requested write whose effect (add or modify) was never determined, because the push failed. */
export type PushChangeKind = 'add' | 'modify' | 'delete' | 'put';

export interface PushHistoryEntry {
  readonly id: number;
  readonly at: string;
  readonly installationId: string;
  readonly installationName: string;
  readonly user: string;
  readonly repo: string;
  readonly branch: string;
  readonly message: string;
  readonly paths: readonly { readonly path: string; readonly kind: PushChangeKind }[];
  readonly result: 'committed' | 'noop' | 'failed';
  readonly commit: string | undefined;
  readonly parent: string | undefined;
  readonly engine: PushEngineName | undefined;
  readonly attempts: readonly PushAttemptRecord[];
  readonly durationMs: number;
  readonly error: { readonly code: string; readonly message: string } | undefined;
  /** `bridge`: the platform asked through the bridge; `local`: someone at the companion. */
  readonly source: PushSource;
  /** The bridge's push id, for `source: 'bridge'`. */
  readonly requestId: string | undefined;
}

export type PushSource = 'local' | 'bridge';

/** Who asked for a push, recorded in its history row. */
export interface PushOrigin {
  readonly source: PushSource;
  readonly requestId?: string;
}

export interface PushHistoryQuery {
  readonly installationId?: string;
  readonly installationName?: string;
  readonly repo?: string;
  readonly branch?: string;
  /** `ok` is committed or no-op. */
  readonly result?: PushHistoryEntry['result'] | 'ok';
  /** Entries with an id below this (the previous page's `nextCursor`). */
  readonly before?: number;
  readonly limit?: number;
}

export interface PushHistoryPage {
  readonly entries: readonly PushHistoryEntry[];
  /** Pass as `before` for the next (older) page; undefined on the last page. */
  readonly nextCursor: number | undefined;
}
