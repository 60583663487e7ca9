import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomicAsync } from '../io/atomic-write.js';

/**
 * The ref in a cached gitdir that names the branch tip the cache last saw (fetched or pushed by
 * either engine): the base of the next push's fetch.
 */
export const TRACKING_REF = 'refs/companion/tip';

/**
 * Points the tracking ref at `oid`, so the tip stays reachable and the next incremental fetch
 * offers it as a `have`. Written as git's own loose ref file (`<oid>\n` at the ref's path, which
 * outranks `packed-refs`), replaced atomically: the entry is under the repository lock, so no git
 * process holds the ref, and a process per update (`git update-ref`) is saved.
 */
export async function updateTrackingRef(gitdir: string, oid: string): Promise<void> {
  if (!/^[0-9a-f]{40}$/.test(oid)) throw new Error(`Not an object id: ${oid}`);
  const file = path.join(gitdir, ...TRACKING_REF.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomicAsync(file, `${oid}\n`, { mode: 0o644, durable: false });
}
