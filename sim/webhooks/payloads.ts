import { createHmac } from 'node:crypto';

/** `2025-05-18T16:57:51+0000`: BDC's webhook date (offset without colon, no milliseconds). */
export function webhookDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/** `sha256=<lowercase hex HMAC-SHA256 of the raw body>`, key = secret as UTF-8. */
export function hubSignature(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')}`;
}

export const ZERO_ID = '0000000000000000000000000000000000000000';

export interface RefChange {
  readonly ref: string;
  readonly oldId: string;
  readonly newId: string;
}

/** One `changes[]` entry of `repo:refs_changed`, in BDC's key order. */
export function changeJson(change: RefChange): Record<string, unknown> {
  const tag = change.ref.startsWith('refs/tags/');
  const displayId = change.ref.replace(/^refs\/(heads|tags)\//, '');
  const type = change.oldId === ZERO_ID ? 'ADD' : change.newId === ZERO_ID ? 'DELETE' : 'UPDATE';
  return {
    ref: { id: change.ref, displayId, type: tag ? 'TAG' : 'BRANCH' },
    refId: change.ref,
    fromHash: change.oldId,
    toHash: change.newId,
    type,
  };
}

/**
 * The compact JSON body of `repo:refs_changed`: the recorded 9.x key order for the fields it has,
 * then `commits` and `toCommit` (BDC 9.x/10.x; docs/bdc-rest-reference.md). A deletion-only push
 * has no `toCommit`.
 */
export function refsChangedBody(
  epochMs: number,
  actor: Record<string, unknown>,
  repository: Record<string, unknown>,
  changes: readonly RefChange[],
  pushed: {
    readonly toCommit: Record<string, unknown> | undefined;
    readonly commits: readonly Record<string, unknown>[];
  },
): string {
  return JSON.stringify({
    eventKey: 'repo:refs_changed',
    date: webhookDate(epochMs),
    actor,
    repository,
    changes: changes.map(changeJson),
    commits: pushed.commits,
    ...(pushed.toCommit !== undefined ? { toCommit: pushed.toCommit } : {}),
  });
}

export const PING_BODY = '{"test":true}';
