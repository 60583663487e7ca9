import type { ChangeInfo, CommitInfo, TreeEntry } from '../git/repo-reader.js';

/**
 * BDC's JSON for paths, commits and changes (docs/bdc-rest-reference.md), built from what git
 * says. Display ids are 11 characters, as in recorded BDC 10 payloads (the OpenAPI example shows
 * 7).
 */
export const DISPLAY_ID_LENGTH = 11;

export function pathJson(path: string): Record<string, unknown> {
  const components = path.split('/').filter(Boolean);
  const name = components.at(-1) ?? '';
  const dot = name.lastIndexOf('.');
  return {
    components,
    parent: components.slice(0, -1).join('/'),
    name,
    ...(dot > 0 ? { extension: name.slice(dot + 1) } : {}),
    toString: components.join('/'),
  };
}

export function minimalCommitJson(id: string): Record<string, unknown> {
  return { id, displayId: id.slice(0, DISPLAY_ID_LENGTH) };
}

export function commitJson(commit: CommitInfo): Record<string, unknown> {
  return {
    id: commit.id,
    displayId: commit.id.slice(0, DISPLAY_ID_LENGTH),
    author: { name: commit.authorName, emailAddress: commit.authorEmail },
    authorTimestamp: commit.authorTime,
    committer: { name: commit.committerName, emailAddress: commit.committerEmail },
    committerTimestamp: commit.committerTime,
    message: commit.message,
    parents: commit.parents.map(minimalCommitJson),
  };
}

/** `FILE`, `DIRECTORY` or `SUBMODULE`, BDC's names for git's node types. */
export function nodeType(entry: Pick<TreeEntry, 'type'>): 'FILE' | 'DIRECTORY' | 'SUBMODULE' {
  if (entry.type === 'tree') return 'DIRECTORY';
  if (entry.type === 'commit') return 'SUBMODULE';
  return 'FILE';
}

/** One child of a directory listing (`…/browse/{dir}`), path relative to the directory. */
export function childJson(entry: TreeEntry, directory: string): Record<string, unknown> {
  const relative = directory ? entry.path.slice(directory.length + 1) : entry.path;
  return {
    path: pathJson(relative),
    contentId: entry.id,
    type: nodeType(entry),
    ...(entry.type === 'blob' ? { size: entry.size } : {}),
    ...(entry.mode === '100755' ? { executable: true } : {}),
  };
}

const changeTypes: Readonly<Record<ChangeInfo['status'], string>> = {
  A: 'ADD',
  D: 'DELETE',
  M: 'MODIFY',
  T: 'MODIFY',
  R: 'MOVE',
  C: 'COPY',
};

const ZERO = /^0+$/;

export function changeJson(change: ChangeInfo, selfHref: string): Record<string, unknown> {
  const type = changeTypes[change.status];
  const nodeMode = change.status === 'D' ? change.oldMode : change.newMode;
  return {
    ...(ZERO.test(change.newId) ? {} : { contentId: change.newId }),
    ...(ZERO.test(change.oldId) ? {} : { fromContentId: change.oldId }),
    path: pathJson(change.path),
    ...(change.srcPath !== undefined ? { srcPath: pathJson(change.srcPath) } : {}),
    ...(change.status !== 'D' ? { executable: change.newMode === '100755' } : {}),
    ...(change.status !== 'A' ? { srcExecutable: change.oldMode === '100755' } : {}),
    ...(change.similarity !== undefined ? { percentUnchanged: change.similarity } : {}),
    type,
    nodeType: nodeMode === '160000' ? 'SUBMODULE' : 'FILE',
    links: { self: [{ href: selfHref }] },
  };
}
