import { ZERO_OID } from '../git/git-objects.js';
import type { RefState } from './ref-advertisement.js';

export type RefChangeType = 'ADD' | 'UPDATE' | 'DELETE';

/** One ref that moved between two polls, as BDC's `changes[]` entry describes it. */
export interface RefChange {
  readonly ref: string;
  readonly fromHash: string;
  readonly toHash: string;
  readonly type: RefChangeType;
  /** The commit the ref now points to (an annotated tag's commit), absent for DELETE. */
  readonly toCommit: string | undefined;
}

/**
 * What changed from the stored refs to BDC's current refs: one change per ref, with the whole
 * range (the stored hash to the current one), however many pushes happened in between — after a
 * restart too. Sorted by ref name, so the order does not depend on the server's.
 */
export function diffRefs(
  stored: ReadonlyMap<string, string>,
  current: ReadonlyMap<string, RefState>,
): RefChange[] {
  const changes: RefChange[] = [];
  for (const [ref, state] of current) {
    const before = stored.get(ref);
    if (before === state.hash) continue;
    changes.push({
      ref,
      fromHash: before ?? ZERO_OID,
      toHash: state.hash,
      type: before === undefined ? 'ADD' : 'UPDATE',
      toCommit: state.peeled ?? state.hash,
    });
  }
  for (const [ref, hash] of stored) {
    if (current.has(ref)) continue;
    changes.push({ ref, fromHash: hash, toHash: ZERO_OID, type: 'DELETE', toCommit: undefined });
  }
  return changes.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}
