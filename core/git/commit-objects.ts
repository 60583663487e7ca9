import type { ChangePlan } from './change-plan.js';
import { normaliseMessage, type EngineAttemptInput } from './engine-attempt.js';
import type { TreeEntry } from './git-objects.js';
import { blobObject, commitObject, treeObject, type GitObject } from './object-writer.js';

/**
 * The objects one commit adds, built in memory from a change plan: the new blobs, the rewritten
 * folders (only those holding an effective change; the others are carried by their ids) and the
 * commit on `base`. Both engines store these in the cache and send them as one pack
 * (`send-commit.ts`), so neither needs an index or a process per object.
 */
export function commitObjects(
  plan: ChangePlan,
  base: string,
  input: Pick<EngineAttemptInput, 'author' | 'committer' | 'message'>,
): { readonly objects: GitObject[]; readonly commit: string } {
  const objects: GitObject[] = [];
  for (const file of plan.files) {
    if (file.action !== 'delete') objects.push(blobObject(file.content));
  }
  const tree = writeTrees(plan, objects);
  const commit = commitObject({
    tree,
    parents: [base],
    author: input.author,
    committer: input.committer,
    message: normaliseMessage(input.message),
  });
  objects.push(commit);
  return { objects, commit: commit.oid };
}

/** Rewrites only the folders that hold an effective change, bottom-up; returns the root tree. */
function writeTrees(plan: ChangePlan, objects: GitObject[]): string {
  const dirty = new Set<string>();
  const byDirectory = new Map<string, ChangePlan['files'][number][]>();
  for (const file of plan.files) {
    const slash = file.path.lastIndexOf('/');
    const directory = slash < 0 ? '' : file.path.slice(0, slash + 1);
    byDirectory.set(directory, [...(byDirectory.get(directory) ?? []), file]);
    const segments = file.path.split('/');
    for (let i = 0; i < segments.length; i += 1) {
      dirty.add(i === 0 ? '' : `${segments.slice(0, i).join('/')}/`);
    }
  }
  function write(prefix: string): string | undefined {
    const entries = new Map<string, TreeEntry>(
      (plan.baseDirectories.get(prefix) ?? []).map((entry) => [entry.name, entry]),
    );
    for (const file of byDirectory.get(prefix) ?? []) {
      const name = file.path.slice(prefix.length);
      if (file.action === 'delete') entries.delete(name);
      else entries.set(name, { mode: file.mode, name, oid: file.oid });
    }
    for (const child of dirty) {
      if (child === prefix || !child.startsWith(prefix)) continue;
      const name = child.slice(prefix.length, -1);
      if (name.includes('/')) continue;
      const oid = write(child);
      if (oid === undefined) entries.delete(name);
      else entries.set(name, { mode: '040000', name, oid });
    }
    // A folder left empty disappears, as in git; the root may be empty.
    if (entries.size === 0 && prefix !== '') return undefined;
    const tree = treeObject([...entries.values()]);
    objects.push(tree);
    return tree.oid;
  }
  return write('') as string;
}
