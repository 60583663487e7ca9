import { CompanionError } from '../../common/errors/companion-error.js';
import type { PushChange } from '../../common/models/push.js';
import { FILE_LIMITS } from '../io/bounded-file.js';
import type { TreeEntryMode } from './git-objects.js';
import { namesGitmodules, writtenNameProblem } from './git-path-rules.js';
import { gitmodulesProblem } from './gitmodules-rules.js';

/** One validated change: a file's new bytes, or its removal. */
export type FileChange =
  | { readonly kind: 'put'; readonly path: string; readonly content: Uint8Array }
  | { readonly kind: 'delete'; readonly path: string };

/** A folder of the change set: the changes named directly in it and its touched sub-folders. */
export interface ChangeDirectory {
  readonly files: Map<string, FileChange>;
  readonly directories: Map<string, ChangeDirectory>;
}

function invalid(path: string, reason: string): CompanionError {
  return new CompanionError('PATH_INVALID', `Path "${printable(path)}" ${reason}.`, {
    data: { path: printable(path), reason },
  });
}

/** With the u flag only an unpaired surrogate matches: a pair is one code point. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Paths go into messages; NUL and control characters are shown escaped, never raw. */
function printable(path: string): string {
  return JSON.stringify(path).slice(1, -1);
}

/**
 * Checks one path and returns its canonical (NFC) form. The rules are git's own for every
 * segment (see git-path-rules.ts and docs/git-path-rules.md: no empty, `.`, `..` or `.git`
 * segment in any spelling Windows or macOS resolves to it), plus the companion's: relative,
 * forward slashes, well-formed Unicode, no control characters, at most 4096 bytes.
 */
export function normalisePath(raw: string, mode: TreeEntryMode = '100644'): string {
  if (typeof raw !== 'string' || raw.length === 0) throw invalid(String(raw), 'is empty');
  if (raw.includes('\u0000')) throw invalid(raw, 'contains a NUL character');
  if (raw.includes('\\')) throw invalid(raw, 'contains a backslash; use forward slashes');
  if (raw.startsWith('/'))
    throw invalid(raw, 'is absolute; give it relative to the repository root');
  // A lone surrogate has no UTF-8 form: git would store U+FFFD instead of what was asked.
  if (LONE_SURROGATE.test(raw)) throw invalid(raw, 'is not valid Unicode (a lone surrogate)');
  if (Buffer.byteLength(raw) > 4096) throw invalid(raw, 'is longer than 4096 bytes');
  const path = raw.normalize('NFC');
  for (const segment of path.split('/')) {
    const problem = writtenNameProblem(segment, mode);
    if (problem !== undefined) throw invalid(raw, problem);
    if ([...segment].some((char) => char.charCodeAt(0) < 0x20))
      throw invalid(raw, 'contains a control character');
  }
  return path;
}

/**
 * Validates a request's changes into a folder tree. Rejects duplicates (also case-only ones, which
 * would collide on Windows and macOS checkouts) and a path that is a folder of another path.
 */
export function buildChangeSet(changes: readonly PushChange[]): {
  readonly root: ChangeDirectory;
  readonly files: readonly FileChange[];
} {
  if (!Array.isArray(changes) || changes.length === 0) {
    throw new CompanionError('PUSH_REQUEST_INVALID', 'The push has no changes.');
  }
  const byLowerPath = new Map<string, string>();
  const files: FileChange[] = [];
  for (const change of changes) {
    const path = normalisePath(change.path);
    const lower = path.toLowerCase();
    const previous = byLowerPath.get(lower);
    if (previous !== undefined) {
      throw invalid(
        path,
        previous === path ? 'is named twice' : `differs only in case from "${previous}"`,
      );
    }
    byLowerPath.set(lower, path);
    if (change.kind === 'delete') files.push({ kind: 'delete', path });
    else if ('content' in change && change.content instanceof Uint8Array) {
      if (change.content.byteLength > FILE_LIMITS.pushedFile) {
        throw new CompanionError(
          'PUSH_REQUEST_INVALID',
          `"${printable(path)}" is larger than ${FILE_LIMITS.pushedFile / (1024 * 1024)} MiB, the limit for one pushed file.`,
        );
      }
      const name = path.slice(path.lastIndexOf('/') + 1);
      const problem = namesGitmodules(name) ? gitmodulesProblem(change.content) : undefined;
      if (problem !== undefined) {
        throw new CompanionError('GITMODULES_INVALID', `"${printable(path)}" ${problem}.`, {
          data: { path: printable(path) },
        });
      }
      files.push({ kind: 'put', path, content: change.content });
    } else {
      throw new CompanionError(
        'PUSH_REQUEST_INVALID',
        `Change "${printable(path)}" has neither content nor delete.`,
      );
    }
  }
  for (const lower of byLowerPath.keys()) {
    const segments = lower.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const ancestor = segments.slice(0, i).join('/');
      const ancestorPath = byLowerPath.get(ancestor);
      if (ancestorPath !== undefined) {
        throw invalid(
          ancestorPath,
          `is changed as a file and is also a folder of "${byLowerPath.get(lower) ?? lower}"`,
        );
      }
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const root: ChangeDirectory = { files: new Map(), directories: new Map() };
  for (const file of files) {
    const segments = file.path.split('/');
    let directory = root;
    for (const segment of segments.slice(0, -1)) {
      let next = directory.directories.get(segment);
      if (next === undefined) {
        next = { files: new Map(), directories: new Map() };
        directory.directories.set(segment, next);
      }
      directory = next;
    }
    directory.files.set(segments[segments.length - 1] as string, file);
  }
  return { root, files };
}
