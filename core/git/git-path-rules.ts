import type { TreeEntryMode } from './git-objects.js';

/**
 * git's own rules for one tree entry name (one path segment), so that nothing the companion
 * writes is refused later by `git fsck --strict`, a checkout on Windows or macOS, or its own
 * isomorphic-git engine reading the tree back. Ported from git's sources; the rules, their
 * origin and examples are in docs/git-path-rules.md.
 */

/** Code points HFS+ ignores in names (git's utf8.c next_hfs_char). */
const HFS_IGNORED = new Set([
  0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x206a, 0x206b, 0x206c,
  0x206d, 0x206e, 0x206f, 0xfeff,
]);

/**
 * git's utf8.c is_hfs_dot_generic: `.` + needle, case-insensitive, after dropping the code
 * points HFS+ ignores, and nothing after it (a segment ends where a path's `/` would be).
 */
function isHfsDot(name: string, needle: string): boolean {
  const chars: number[] = [];
  for (const char of name) {
    const code = char.codePointAt(0) as number;
    if (!HFS_IGNORED.has(code)) chars.push(code);
  }
  if (chars.length !== needle.length + 1 || chars[0] !== 0x2e) return false;
  for (let i = 0; i < needle.length; i += 1) {
    const code = chars[i + 1] as number;
    // The needles are ASCII; anything beyond it never folds onto them here.
    if (code > 127 || String.fromCharCode(code).toLowerCase() !== needle[i]) return false;
  }
  return true;
}

const lower = (char: string | undefined): string | undefined => char?.toLowerCase();

/**
 * git's path.c is_ntfs_dotgit: `.git` or its 8.3 short name `git~1`, any case, followed only by
 * spaces and dots (NTFS drops them), up to the end, a separator, or a `:` (an alternate data
 * stream such as `.git::$INDEX_ALLOCATION` names the folder itself).
 */
function isNtfsDotGit(name: string): boolean {
  let i: number;
  if (name[0] === '.' && lower(name[1]) === 'g' && lower(name[2]) === 'i' && lower(name[3]) === 't')
    i = 4;
  else if (
    lower(name[0]) === 'g' &&
    lower(name[1]) === 'i' &&
    lower(name[2]) === 't' &&
    name[3] === '~' &&
    name[4] === '1'
  )
    i = 5;
  else return false;
  for (; ; i += 1) {
    const char = name[i];
    if (char === undefined || char === '/' || char === '\\' || char === ':') return true;
    if (char !== '.' && char !== ' ') return false;
  }
}

/** The tail of is_ntfs_dot_generic: only spaces and dots until the end or a `:`. */
function onlySpacesAndPeriods(name: string, from: number): boolean {
  for (let i = from; ; i += 1) {
    const char = name[i];
    if (char === undefined || char === ':') return true;
    if (char !== ' ' && char !== '.') return false;
  }
}

/**
 * git's path.c is_ntfs_dot_generic: `.gitmodules` and friends on NTFS — the long name with
 * trailing spaces/dots or a stream, its `GITMOD~1`…`~4` short name, and the hashed fall-back
 * short name (`GI7EBA~1` for `.gitmodules`).
 */
function isNtfsDot(name: string, dotName: string, shortPrefix: string): boolean {
  if (name[0] === '.' && name.slice(1, 1 + dotName.length).toLowerCase() === dotName) {
    return onlySpacesAndPeriods(name, dotName.length + 1);
  }
  const seventh = name[7];
  if (
    name.slice(0, 6).toLowerCase() === dotName.slice(0, 6) &&
    name[6] === '~' &&
    seventh !== undefined &&
    seventh >= '1' &&
    seventh <= '4'
  ) {
    return onlySpacesAndPeriods(name, 8);
  }
  let sawTilde = false;
  for (let i = 0; i < 8; i += 1) {
    const char = name[i];
    if (char === undefined) return false;
    if (sawTilde) {
      if (char < '0' || char > '9') return false;
    } else if (char === '~') {
      i += 1;
      const digit = name[i];
      if (digit === undefined || digit < '1' || digit > '9') return false;
      sawTilde = true;
    } else if (i >= 6) return false;
    else if (char.charCodeAt(0) > 127) return false;
    else if (char.toLowerCase() !== shortPrefix[i]) return false;
  }
  return onlySpacesAndPeriods(name, 8);
}

const DOT_FILES = {
  gitmodules: 'gi7eba',
  gitattributes: 'gi7d29',
  gitignore: 'gi250a',
  mailmap: 'maba30',
} as const;

type DotFile = keyof typeof DOT_FILES;

/** Whether a name is `.gitmodules` (or another dot file) on any file system git protects. */
function isDotFile(name: string, file: DotFile): boolean {
  return isHfsDot(name, file) || isNtfsDot(name, file, DOT_FILES[file]);
}

/** Whether a file of this name is `.gitmodules` to git on some file system (its content is checked). */
export function namesGitmodules(name: string): boolean {
  return name.toLowerCase() === '.gitmodules' || isDotFile(name, 'gitmodules');
}

/**
 * isomorphic-git's tree reader (assertSafeEntryPath) refuses a few names git accepts on Linux:
 * names made only of dots and spaces (Win32 trims them to `.` or `..`), and `git~1`…`git~9`
 * and `.git~1`…`.git~9`, after dropping HFS-ignored code points and any `:stream`. A tree
 * holding one could never be read back by the companion's own engine.
 */
function isoReaderRefuses(name: string): boolean {
  const hfsClean = [...name].filter((char) => !HFS_IGNORED.has(char.codePointAt(0) as number));
  const beforeStream = hfsClean.join('').split(':')[0] as string;
  let end = beforeStream.length;
  // A backward scan: a regex for the trailing run is quadratic on a long run of dots.
  while (end > 0 && (beforeStream[end - 1] === '.' || beforeStream[end - 1] === ' ')) end -= 1;
  const trimmed = beforeStream.slice(0, end).toLowerCase();
  return (
    (trimmed === '' && beforeStream !== '') || trimmed === '.git' || /^\.?git~[1-9]$/u.test(trimmed)
  );
}

/**
 * Why git (read-cache.c verify_path with core.protectNTFS and core.protectHFS on, as on Windows
 * and macOS, and fsck.c fsck_tree at the levels `fsck --strict` fails on) or the isomorphic-git
 * reader refuses this tree entry name, or undefined when the name is fine. Used for the base
 * tree's entries too: a folder holding such a name cannot be rewritten.
 */
export function entryNameProblem(name: string, mode: TreeEntryMode): string | undefined {
  if (name === '') return 'has an empty segment (a leading, trailing or double slash)';
  if (name === '.' || name === '..') return `has a "${name}" segment`;
  // fsck treats a backslash as a separator: `a\.git` is `.git` on Windows.
  const parts = [name, ...name.split('\\').slice(1)];
  if (parts.some((part) => isHfsDot(part, 'git') || isNtfsDotGit(part))) {
    return `has a segment "${name}" that git treats as ".git" (on Windows or macOS)`;
  }
  if (isoReaderRefuses(name)) {
    return `has a segment "${name}" that Windows reads as ".", ".." or ".git"`;
  }
  if (mode === '120000') {
    if (name.toLowerCase() === '.gitmodules' || parts.some((part) => isDotFile(part, 'gitmodules')))
      return 'is a symbolic link named ".gitmodules", which git refuses';
  }
  return undefined;
}

/**
 * The rules for a name the companion writes: those of entryNameProblem, and no symbolic link
 * named `.gitattributes`, `.gitignore` or `.mailmap` (git ≥ 2.32 will not follow them in a tree,
 * and fsck flags them).
 */
export function writtenNameProblem(name: string, mode: TreeEntryMode): string | undefined {
  const problem = entryNameProblem(name, mode);
  if (problem !== undefined || mode !== '120000') return problem;
  const file = (['gitattributes', 'gitignore', 'mailmap'] as const).find((candidate) =>
    isDotFile(name, candidate),
  );
  return file === undefined ? undefined : `is a symbolic link named ".${file}", which git ignores`;
}
