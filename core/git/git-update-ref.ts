import { runGitChecked } from './git-process.js';
import { TRACKING_REF } from './tracking-ref.js';

/**
 * Points the cache's tracking ref at `oid` with `git update-ref`, so the tip stays reachable and
 * the next incremental fetch offers it as a `have`.
 */
export async function updateTrackingRef(
  gitdir: string,
  oid: string,
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
): Promise<void> {
  await runGitChecked(['--git-dir', gitdir, 'update-ref', TRACKING_REF, oid], options);
}
