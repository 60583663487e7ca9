import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RestCall } from './rest-api.js';
import { resolveRepo } from './routing.js';

/**
 * `GET {base}/projects/{KEY}/repos/{slug}/sizes` → `{"repository": bytes, "attachments": bytes}`:
 * the size BDC shows in a repository's settings, read by the companion to pick its push engine
 * before the first clone (docs/push-engine-choice.md). Outside `/rest/`, like BDC's; REPO_READ.
 */
export const REPOSITORY_SIZES_PATH = /^\/projects\/([^/]+)\/repos\/([^/]+)\/sizes$/;

/** Bytes on disk under a folder (what BDC reports for the repository's directory). */
async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) total += await folderBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

export async function handleRepositorySizes(call: RestCall, match: RegExpExecArray): Promise<void> {
  const found = resolveRepo(
    call,
    decodeURIComponent(match[1] as string),
    decodeURIComponent(match[2] as string),
    1,
  );
  if (found === undefined) return;
  call.json(200, {
    repository: await folderBytes(call.env.repositoryPath(found.repo)),
    attachments: 0,
  });
}
