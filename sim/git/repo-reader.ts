import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { gitBytes, gitEnv } from './git-process.js';

/**
 * Read-only questions to a bare repository, answered by the git CLI: what BDC's content and
 * history REST serves (docs/bdc-rest-reference.md). Every path is taken literally
 * (`GIT_LITERAL_PATHSPECS`), every answer is bounded.
 */
const LITERAL = { GIT_LITERAL_PATHSPECS: '1' } as const;
const LIST_LIMIT = 64 * 1024 * 1024;

export type NodeType = 'blob' | 'tree' | 'commit';

export interface TreeEntry {
  readonly mode: string;
  readonly type: NodeType;
  readonly id: string;
  /** Bytes of a blob; undefined for trees and submodules. */
  readonly size: number | undefined;
  /** Full path from the repository root ('' for the root). */
  readonly path: string;
}

export interface CommitInfo {
  readonly id: string;
  readonly parents: readonly string[];
  readonly authorName: string;
  readonly authorEmail: string;
  readonly authorTime: number;
  readonly committerName: string;
  readonly committerEmail: string;
  readonly committerTime: number;
  readonly message: string;
}

export interface ChangeInfo {
  readonly status: 'A' | 'D' | 'M' | 'R' | 'C' | 'T';
  readonly similarity: number | undefined;
  readonly oldMode: string;
  readonly newMode: string;
  readonly oldId: string;
  readonly newId: string;
  readonly path: string;
  readonly srcPath: string | undefined;
}

async function git(gitDir: string, args: readonly string[], maxBytes = LIST_LIMIT) {
  return gitBytes(args, { cwd: gitDir, maxBytes, env: LITERAL });
}

/**
 * A request's path as git path components: empty segments dropped, `.`/`..` and NUL refused
 * (undefined), so no path reaches git that could mean anything but a tree entry.
 */
export function splitRepoPath(path: string): string[] | undefined {
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.some((part) => part === '.' || part === '..' || part.includes('\0'))) return undefined;
  return parts;
}

/** A ref name git could hold (git check-ref-format's rules, simplified to refusals). */
function plausibleRef(name: string): boolean {
  return (
    name !== '' &&
    !name.startsWith('-') &&
    !name.startsWith('/') &&
    !name.endsWith('/') &&
    !name.endsWith('.') &&
    !name.endsWith('.lock') &&
    !name.includes('..') &&
    !name.includes('@{') &&
    !name.includes('//') &&
    // eslint-disable-next-line no-control-regex
    !/[\x00-\x20\x7f~^:?*[\\]/.test(name)
  );
}

/**
 * The commit an `at=`/`until=` value names, as BDC reads it: a qualified ref
 * (`refs/heads/x`, `refs/tags/v1`), a branch or tag short name, or a (possibly abbreviated) commit
 * id. Annotated tags are peeled.
 */
export async function resolveCommit(gitDir: string, at: string): Promise<string | undefined> {
  const candidates: string[] = [];
  if (at.startsWith('refs/')) {
    if (plausibleRef(at)) candidates.push(at);
  } else if (/^[0-9a-f]{40}$/i.test(at)) {
    // git's own rule: a full object id is the object, even if a ref has that name.
    candidates.push(at.toLowerCase());
  } else {
    if (plausibleRef(at)) candidates.push(`refs/heads/${at}`, `refs/tags/${at}`);
    if (/^[0-9a-f]{4,39}$/i.test(at)) candidates.push(at.toLowerCase());
  }
  for (const candidate of candidates) {
    const result = await git(gitDir, [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${candidate}^{commit}`,
    ]);
    const id = result.stdout.toString('utf8').trim();
    if (result.code === 0 && /^[0-9a-f]{40}$/.test(id)) return id;
  }
  return undefined;
}

function parseLsTree(output: Buffer, prefix: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.toString('utf8').split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode = '', type = '', id = '', size = '-'] = record.slice(0, tab).split(/ +/);
    entries.push({
      mode,
      type: type as NodeType,
      id,
      size: size === '-' ? undefined : Number(size),
      path: prefix + record.slice(tab + 1),
    });
  }
  return entries;
}

/** The entry at `parts` in `commit` (the root tree for no parts); undefined when absent. */
export async function entryAt(
  gitDir: string,
  commit: string,
  parts: readonly string[],
): Promise<TreeEntry | undefined> {
  if (parts.length === 0) {
    const tree = await git(gitDir, ['rev-parse', '--verify', '--quiet', `${commit}^{tree}`]);
    return {
      mode: '040000',
      type: 'tree',
      id: tree.stdout.toString().trim(),
      size: undefined,
      path: '',
    };
  }
  const path = parts.join('/');
  const result = await git(gitDir, ['ls-tree', '-l', '-z', '--full-tree', commit, '--', path]);
  if (result.code !== 0) return undefined;
  return parseLsTree(result.stdout, '').find((entry) => entry.path === path);
}

/** The direct children of the directory at `parts`, in git's (byte) order. */
export async function childrenOf(
  gitDir: string,
  commit: string,
  parts: readonly string[],
): Promise<TreeEntry[]> {
  const args = ['ls-tree', '-l', '-z', '--full-tree', commit];
  if (parts.length) args.push('--', `${parts.join('/')}/`);
  const result = await git(gitDir, args);
  if (result.code !== 0) throw new Error(`git ls-tree failed: ${result.stderr.trim()}`);
  return parseLsTree(result.stdout, '');
}

/** Every file below the directory at `parts`, recursively, relative to that directory. */
export async function filesBelow(
  gitDir: string,
  commit: string,
  parts: readonly string[],
): Promise<string[]> {
  const args = ['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit];
  const prefix = parts.length ? `${parts.join('/')}/` : '';
  if (prefix) args.push('--', prefix);
  const result = await git(gitDir, args);
  if (result.code !== 0) throw new Error(`git ls-tree failed: ${result.stderr.trim()}`);
  return result.stdout
    .toString('utf8')
    .split('\0')
    .filter((path) => path !== '')
    .map((path) => path.slice(prefix.length));
}

/** A blob's bytes, refused above `maxBytes`. */
export async function readBlob(gitDir: string, id: string, maxBytes: number): Promise<Buffer> {
  const result = await git(gitDir, ['cat-file', 'blob', id], maxBytes);
  if (result.code !== 0) throw new Error(`git cat-file failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Starts a git command whose stdout the caller streams (raw file bytes, archives). */
export function streamGit(
  gitDir: string,
  args: readonly string[],
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn('git', [...args], {
    cwd: gitDir,
    env: gitEnv(LITERAL),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const COMMIT_FIELDS = 9;
const COMMIT_FORMAT = ['%H', '%P', '%an', '%ae', '%at', '%cn', '%ce', '%ct', '%B'].join('%x00');

function parseCommits(output: Buffer): CommitInfo[] {
  const fields = output.toString('utf8').split('\0');
  const commits: CommitInfo[] = [];
  for (let index = 0; index + COMMIT_FIELDS <= fields.length; index += COMMIT_FIELDS) {
    const [id, parents, an, ae, at, cn, ce, ct, message] = fields.slice(
      index,
      index + COMMIT_FIELDS,
    ) as [string, string, string, string, string, string, string, string, string];
    commits.push({
      // `log -z` separates records with NUL, which lands at the start of the next id.
      id: id.replace(/^\n/, ''),
      parents: parents.split(' ').filter(Boolean),
      authorName: an,
      authorEmail: ae,
      authorTime: Number(at) * 1000,
      committerName: cn,
      committerEmail: ce,
      committerTime: Number(ct) * 1000,
      message: message.replace(/\s+$/, ''),
    });
  }
  return commits;
}

export interface LogQuery {
  /** Commits reachable from these ids… */
  readonly include: readonly string[];
  /** …and not from these. */
  readonly exclude?: readonly string[];
  /** Also exclude everything reachable from every ref except these full ref names. */
  readonly excludeAllRefsBut?: readonly string[];
  readonly path?: readonly string[];
  readonly merges?: 'include' | 'exclude' | 'only';
  readonly maxCount: number;
}

/** `git log` newest first (git's default order), bounded by `maxCount`. */
export async function logCommits(gitDir: string, query: LogQuery): Promise<CommitInfo[]> {
  const args = ['log', '-z', `--format=${COMMIT_FORMAT}`, `--max-count=${query.maxCount}`];
  if (query.merges === 'exclude') args.push('--no-merges');
  if (query.merges === 'only') args.push('--merges');
  args.push(...query.include);
  const negative = (query.exclude ?? []).map((id) => `^${id}`);
  args.push(...negative);
  if (query.excludeAllRefsBut !== undefined) {
    args.push('--not', ...query.excludeAllRefsBut.map((ref) => `--exclude=${ref}`), '--all');
  }
  args.push('--');
  if (query.path?.length) args.push(query.path.join('/'));
  const result = await git(gitDir, args);
  if (result.code !== 0) throw new Error(`git log failed: ${result.stderr.trim()}`);
  return parseCommits(result.stdout);
}

/** One commit by id (full or abbreviated); undefined when there is none. */
export async function readCommit(gitDir: string, id: string): Promise<CommitInfo | undefined> {
  return (await readCommits(gitDir, [id]))[0];
}

/** Commits by id in the order asked, in one git call; empty when any id is not a commit. */
export async function readCommits(gitDir: string, ids: readonly string[]): Promise<CommitInfo[]> {
  if (ids.length === 0 || !ids.every((id) => /^[0-9a-f]{4,40}$/i.test(id))) return [];
  const result = await git(gitDir, [
    'log',
    '-z',
    '--no-walk=unsorted',
    `--format=${COMMIT_FORMAT}`,
    '--end-of-options',
    ...ids.map((id) => `${id.toLowerCase()}^{commit}`),
    '--',
  ]);
  if (result.code !== 0) return [];
  return parseCommits(result.stdout);
}

/** The changes `from` has that `to` has not: `git diff to...from` (from their merge base). */
export async function changesBetween(
  gitDir: string,
  from: string,
  to: string,
): Promise<ChangeInfo[]> {
  const result = await git(gitDir, [
    'diff',
    '--raw',
    '-z',
    '-M',
    '--no-abbrev',
    '--no-ext-diff',
    '--no-textconv',
    `${to}...${from}`,
    '--',
  ]);
  if (result.code !== 0) throw new Error(`git diff failed: ${result.stderr.trim()}`);
  const fields = result.stdout.toString('utf8').split('\0');
  const changes: ChangeInfo[] = [];
  let index = 0;
  while (index < fields.length) {
    const head = fields[index++] ?? '';
    if (!head.startsWith(':')) continue;
    const [oldMode = '', newMode = '', oldId = '', newId = '', statusField = ''] = head
      .slice(1)
      .split(' ');
    const status = statusField.charAt(0) as ChangeInfo['status'];
    const score = statusField.slice(1);
    if (status === 'R' || status === 'C') {
      const srcPath = fields[index++] ?? '';
      const path = fields[index++] ?? '';
      changes.push({
        status,
        similarity: score ? Number(score) : undefined,
        oldMode,
        newMode,
        oldId,
        newId,
        path,
        srcPath,
      });
    } else {
      const path = fields[index++] ?? '';
      changes.push({
        status,
        similarity: undefined,
        oldMode,
        newMode,
        oldId,
        newId,
        path,
        srcPath: undefined,
      });
    }
  }
  return changes;
}
