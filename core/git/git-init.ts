import { mkdir } from 'node:fs/promises';
import { runGitChecked } from './git-process.js';

/** `git init --bare` of a new cache entry (its folder made first); the local environment only. */
export async function initBareRepository(
  gitdir: string,
  options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> },
): Promise<void> {
  await mkdir(gitdir, { recursive: true });
  await runGitChecked(['init', '--bare', '--quiet', gitdir], options);
}
