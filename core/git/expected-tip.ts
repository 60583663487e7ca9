import { discoverBranch, type DiscoveredBranch } from './branch-discovery.js';
import { AttemptFailure, failure } from './push-failure.js';
import type { SmartHttpClient } from './smart-http.js';

/*
 * A push with an expected tip lands only on exactly that commit (docs/bridge.md, "expectedTip"):
 * the commit is built with it as its one parent and sent with it as receive-pack's old id, so the
 * server's compare-and-swap under its ref lock is the check, not a read before it. A moved or
 * missing branch is refused — never rebased over and retried, and never forced.
 */

/** Where the branch stands when it is not at the expected tip. */
export type ActualTip = string | 'missing' | 'unknown';

export function tipMoved(branch: string, expected: string, actual: ActualTip): AttemptFailure {
  const where =
    actual === 'missing'
      ? 'does not exist'
      : actual === 'unknown'
        ? 'has moved'
        : `is at ${actual}`;
  return failure(
    'fatal',
    'PUSH_TIP_MOVED',
    `Branch "${branch}" ${where}; the push expected it at ${expected}, so nothing was pushed.`,
    {
      branch,
      expected,
      tip: actual === 'missing' || actual === 'unknown' ? null : actual,
      ...(actual === 'unknown' ? {} : { exists: actual !== 'missing' }),
    },
  );
}

/**
 * Branch discovery with an expected tip: the branch itself must exist and stand at exactly that
 * commit (a `createFrom` source never stands in for it). Without an expected tip, plain discovery.
 */
export async function discoverExpectedBranch(
  client: SmartHttpClient,
  url: string,
  branch: string,
  createFrom: string | undefined,
  expected: string | undefined,
): Promise<DiscoveredBranch> {
  if (expected === undefined) return discoverBranch(client, url, branch, createFrom);
  let found: DiscoveredBranch;
  try {
    found = await discoverBranch(client, url, branch, undefined);
  } catch (error) {
    if (error instanceof AttemptFailure && error.error.code === 'BRANCH_NOT_FOUND') {
      throw tipMoved(branch, expected, 'missing');
    }
    throw error;
  }
  if (found.tip !== expected) throw tipMoved(branch, expected, found.tip);
  return found;
}

/**
 * Runs the send of a push with an expected tip: when receive-pack refuses its compare-and-swap
 * (the ref moved between discovery and the update), the refusal is PUSH_TIP_MOVED naming where
 * the branch stands now — one more ref advertisement — instead of a conflict to retry. Without an
 * expected tip the send's own failure passes through.
 */
export async function sendOnExpectedTip<T>(
  send: () => Promise<T>,
  client: SmartHttpClient,
  url: string,
  branch: string,
  expected: string | undefined,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (
      expected === undefined ||
      !(error instanceof AttemptFailure) ||
      error.retry !== 'conflict'
    ) {
      throw error;
    }
    const actual = await discoverBranch(client, url, branch, undefined).then(
      (found): ActualTip => found.tip,
      (lookup: unknown): ActualTip =>
        lookup instanceof AttemptFailure && lookup.error.code === 'BRANCH_NOT_FOUND'
          ? 'missing'
          : 'unknown',
    );
    throw tipMoved(branch, expected, actual);
  }
}
