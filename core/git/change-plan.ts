import { CompanionError } from '../../common/errors/companion-error.js';
import type { ChangeDirectory, FileChange } from './change-set.js';
import {
  blobOid,
  isTree,
  type TreeEntry,
  type TreeEntryMode,
  type TreeReader,
} from './git-objects.js';
import { entryNameProblem } from './git-path-rules.js';

/** What one changed path becomes in the new commit. */
export type PlannedFile =
  | {
      readonly action: 'add' | 'modify';
      readonly path: string;
      readonly mode: TreeEntryMode;
      readonly oid: string;
      readonly content: Uint8Array;
    }
  | { readonly action: 'delete'; readonly path: string };

export interface ChangePlan {
  /** Only the paths whose tree entry actually changes, in path order. */
  readonly files: readonly PlannedFile[];
  /** The base's entries of every touched folder, keyed by folder path ('' is the root). */
  readonly baseDirectories: ReadonlyMap<string, readonly TreeEntry[]>;
}

function invalid(path: string, reason: string): CompanionError {
  return new CompanionError(
    'PATH_INVALID',
    `Path "${JSON.stringify(path).slice(1, -1)}" ${reason}.`,
    {
      data: { path, reason },
    },
  );
}

/**
 * The branch already holds an entry git refuses (pushed by an older companion or another tool).
 * Rewriting its folder would publish a new tree with it — which a server checking objects
 * refuses, and which no checkout on Windows or macOS survives — so the push stops here, with the
 * entry named, and no retry.
 */
export function branchHasInvalidPath(path: string, problem: string): CompanionError {
  const shown = JSON.stringify(path).slice(1, -1);
  return new CompanionError(
    'BRANCH_HAS_INVALID_PATH',
    `The branch already contains "${shown}", a name git refuses (it ${problem}); nothing can be committed in its folder until it is removed.`,
    { data: { path: shown, reason: problem } },
  );
}

/**
 * Lays the change set over the base tree: the one place both engines decide what a commit
 * contains, so they cannot disagree. Reads only the folders the changes touch. A put with the
 * bytes already there and a delete of an absent path change nothing; an executable file keeps
 * its mode, a symbolic link written to becomes a regular file. Every entry of a touched folder must pass git's name rules.
 */
export async function planChanges(
  baseTree: string,
  root: ChangeDirectory,
  readTree: TreeReader,
): Promise<ChangePlan> {
  const files: PlannedFile[] = [];
  const baseDirectories = new Map<string, readonly TreeEntry[]>();

  async function visit(
    directory: ChangeDirectory,
    prefix: string,
    oid: string | undefined,
  ): Promise<void> {
    const entries = oid === undefined ? [] : await readTree(oid);
    for (const entry of entries) {
      const problem = entryNameProblem(entry.name, entry.mode);
      if (problem !== undefined) throw branchHasInvalidPath(`${prefix}${entry.name}`, problem);
    }
    baseDirectories.set(prefix, entries);
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    const byLowerName = new Map(entries.map((entry) => [entry.name.toLowerCase(), entry.name]));
    const clash = (name: string, path: string): void => {
      const existing = byLowerName.get(name.toLowerCase());
      if (existing !== undefined && existing !== name) {
        throw invalid(path, `differs only in case from the existing "${prefix}${existing}"`);
      }
    };
    for (const [name, change] of directory.files) {
      clash(name, change.path);
      files.push(...planFile(change, byName.get(name)));
    }
    for (const [name, child] of directory.directories) {
      const path = `${prefix}${name}`;
      clash(name, path);
      const existing = byName.get(name);
      if (existing !== undefined && !isTree(existing)) {
        throw invalid(path, 'is a file in the repository, so nothing can be put below it');
      }
      await visit(child, `${path}/`, existing?.oid);
    }
  }

  await visit(root, '', baseTree);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, baseDirectories };
}

/**
 * The mode a put writes: an executable file stays executable; anything else — a new path, a
 * regular file, a symbolic link — becomes a regular file. Keeping a link's mode would store the
 * new content as the link's target (docs/git-path-rules.md, "Writing onto a symbolic link").
 */
function writtenMode(existing: TreeEntry | undefined): TreeEntryMode {
  return existing?.mode === '100755' ? '100755' : '100644';
}

function planFile(change: FileChange, existing: TreeEntry | undefined): PlannedFile[] {
  if (existing !== undefined && isTree(existing)) {
    throw invalid(change.path, 'is a folder in the repository; change the files inside it instead');
  }
  if (existing?.mode === '160000') {
    throw invalid(change.path, 'is a submodule in the repository and cannot be written as a file');
  }
  if (change.kind === 'delete') {
    return existing === undefined ? [] : [{ action: 'delete', path: change.path }];
  }
  const oid = blobOid(change.content);
  const mode = writtenMode(existing);
  if (existing?.oid === oid && existing.mode === mode) return [];
  return [
    {
      action: existing === undefined ? 'add' : 'modify',
      path: change.path,
      mode,
      oid,
      content: change.content,
    },
  ];
}
