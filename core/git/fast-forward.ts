import { CompanionError } from '../../common/errors/companion-error.js';
import { ZERO_OID } from './git-objects.js';

/**
 * The guard that keeps every update a fast-forward: the ref must be expected at exactly the
 * commit's parent (or be created from it). Receive-pack then refuses the update if the ref is
 * anywhere else, so no path can move a branch to a commit that does not descend from its tip.
 */
export function assertFastForward(oldOid: string, base: string, parents: readonly string[]): void {
  if (parents.length !== 1 || parents[0] !== base || (oldOid !== base && oldOid !== ZERO_OID)) {
    throw new CompanionError(
      'INTERNAL_ERROR',
      'Refusing to send an update that is not a fast-forward.',
      {
        data: { oldOid, base, parents },
      },
    );
  }
}
