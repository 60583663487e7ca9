import { failure } from './push-failure.js';
import { discoverReceivePack, type SmartHttpClient } from './smart-http.js';

/** Where a push starts: the branch whose tip the commit is built on, and that tip. */
export interface DiscoveredBranch {
  /** The pushed branch, or `createFrom` when the pushed branch does not exist yet. */
  readonly sourceBranch: string;
  readonly tip: string;
}

/**
 * Branch discovery of both engines, written once: receive-pack's advertisement (so the
 * credential's write access is checked before anything is fetched) gives the branch's tip; a
 * branch that does not exist yet starts from `createFrom`'s tip. Neither existing is
 * BRANCH_NOT_FOUND, naming the branch that was looked for last.
 */
export async function discoverBranch(
  client: SmartHttpClient,
  url: string,
  branch: string,
  createFrom: string | undefined,
): Promise<DiscoveredBranch> {
  const advertisement = await discoverReceivePack(client, url);
  const tip = advertisement.refs.get(`refs/heads/${branch}`);
  if (tip !== undefined) return { sourceBranch: branch, tip };
  const sourceBranch = createFrom ?? branch;
  const fromTip =
    createFrom === undefined ? undefined : advertisement.refs.get(`refs/heads/${createFrom}`);
  if (fromTip === undefined) {
    throw failure(
      'fatal',
      'BRANCH_NOT_FOUND',
      `Branch "${sourceBranch}" does not exist in the repository.`,
      { branch: sourceBranch },
    );
  }
  return { sourceBranch, tip: fromTip };
}
