import {
  childrenOf,
  entryAt,
  filesBelow,
  readBlob,
  streamGit,
  type TreeEntry,
} from '../git/repo-reader.js';
import { bdcErrors } from '../http/bdc-errors.js';
import { childJson, nodeType, pathJson } from './content-json.js';
import { paginate, parsePageRequest } from './paging.js';
import type { RestCall } from './rest-api.js';
import { flag, requestPath, resolveRevision, type RevisionTarget } from './revision.js';
import { API, REPO, route, type Route } from './routing.js';

/**
 * Repository content: `browse` (directory listings and a file's lines), `raw` (exact bytes),
 * `files` (recursive path list) and `archive` (what `git archive` makes). Facts and the places
 * where the simulator chooses are in docs/bdc-rest-reference.md.
 */
const LINES = { defaultLimit: 500, maxLimit: 5000 } as const;
const CHILDREN = { defaultLimit: 500, maxLimit: 1000 } as const;
/** Files larger than this are not split into lines (raw still streams them). */
const BROWSE_MAX_BYTES = 32 * 1024 * 1024;

async function browse(call: RestCall, params: readonly string[]): Promise<void> {
  const target = await resolveRevision(call, params, call.query.get('at'));
  if (!target) return;
  const parts = requestPath(call, params[2], target.revision);
  if (!parts) return;
  const entry = await entryAt(target.gitDir, target.commit, parts);
  if (!entry) return call.fail(bdcErrors.noSuchPath(parts.join('/'), target.revision));
  // The OpenAPI's order: size, then type, then content.
  if (flag(call.query, 'size')) return call.json(200, { size: entry.size ?? 0 });
  if (flag(call.query, 'type')) return call.json(200, { type: nodeType(entry) });
  if (entry.type === 'tree') return directory(call, target, entry);
  if (entry.type === 'commit') {
    return call.json(200, { path: pathJson(entry.path), type: 'SUBMODULE', contentId: entry.id });
  }
  return fileLines(call, target, entry);
}

async function directory(call: RestCall, target: RevisionTarget, entry: TreeEntry): Promise<void> {
  const parts = entry.path ? entry.path.split('/') : [];
  const children = (await childrenOf(target.gitDir, target.commit, parts)).map((child) =>
    childJson(child, entry.path),
  );
  call.json(200, {
    path: pathJson(entry.path),
    revision: target.revision,
    children: paginate(children, parsePageRequest(call.query, CHILDREN), call.env.paging()),
  });
}

async function fileLines(call: RestCall, target: RevisionTarget, entry: TreeEntry): Promise<void> {
  const request = parsePageRequest(call.query, LINES);
  if ((entry.size ?? 0) > BROWSE_MAX_BYTES) {
    return call.fail(
      bdcErrors.validation(null, `${entry.path} is too large to be shown; use the raw resource.`),
    );
  }
  const bytes = await readBlob(target.gitDir, entry.id, BROWSE_MAX_BYTES);
  if (isBinary(bytes)) {
    return call.json(200, { binary: true, path: pathJson(entry.path) });
  }
  const text = bytes.toString('utf8');
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  // Lines are never hidden from a reader, so their pages are never skewed.
  const page = paginate(
    lines.map((line) => ({ text: line })),
    request,
    'normal',
  );
  const { values, ...rest } = page;
  call.json(200, { lines: values, ...rest });
}

/** git's own test: a NUL byte in the first 8,000 bytes makes a file binary. */
function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

async function raw(call: RestCall, params: readonly string[]): Promise<void> {
  const target = await resolveRevision(call, params, call.query.get('at'));
  if (!target) return;
  const parts = requestPath(call, params[2], target.revision);
  if (!parts) return;
  const entry = parts.length ? await entryAt(target.gitDir, target.commit, parts) : undefined;
  if (!entry || entry.type !== 'blob') {
    return call.fail(bdcErrors.noSuchPath(parts.join('/'), target.revision));
  }
  const child = streamGit(target.gitDir, ['cat-file', 'blob', entry.id]);
  const { response } = call;
  await new Promise<void>((resolve) => {
    let started = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (!started) {
        started = true;
        response.writeHead(200, {
          'Content-Type': contentType(entry.path, chunk),
          'Content-Length': String(entry.size ?? 0),
          'X-Content-Type-Options': 'nosniff',
        });
      }
      if (!response.write(chunk)) {
        child.stdout.pause();
        response.once('drain', () => child.stdout.resume());
      }
    });
    child.on('close', (code) => {
      if (!started && code === 0) {
        // An empty file: no data event came.
        response.writeHead(200, {
          'Content-Type': 'text/plain;charset=UTF-8',
          'Content-Length': '0',
          'X-Content-Type-Options': 'nosniff',
        });
      }
      if (code !== 0 && !started) call.fail(bdcErrors.serverError('git failed', null));
      else if (code !== 0) response.destroy();
      else response.end();
      resolve();
    });
    response.once('close', () => child.kill());
  });
}

const imageTypes: Readonly<Record<string, string>> = {
  png: 'image/png',
  gif: 'image/gif',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
};

/** Text as UTF-8 plain text, a few image types by name, anything else binary as octet-stream. */
export function contentType(path: string, head: Buffer): string {
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const image = imageTypes[extension];
  if (image) return image;
  return isBinary(head) ? 'application/octet-stream' : 'text/plain;charset=UTF-8';
}

async function files(call: RestCall, params: readonly string[]): Promise<void> {
  const target = await resolveRevision(call, params, call.query.get('at'));
  if (!target) return;
  const parts = requestPath(call, params[2], target.revision);
  if (!parts) return;
  const entry = await entryAt(target.gitDir, target.commit, parts);
  if (!entry || entry.type !== 'tree') {
    return call.fail(bdcErrors.noSuchPath(parts.join('/'), target.revision));
  }
  const paths = await filesBelow(target.gitDir, target.commit, parts);
  call.json(200, paginate(paths, parsePageRequest(call.query), call.env.paging()));
}

const archiveFormats: Readonly<Record<string, { git: string; type: string; ext: string }>> = {
  zip: { git: 'zip', type: 'application/zip', ext: 'zip' },
  tar: { git: 'tar', type: 'application/x-tar', ext: 'tar' },
  'tar.gz': { git: 'tar.gz', type: 'application/x-gzip', ext: 'tar.gz' },
  tgz: { git: 'tar.gz', type: 'application/x-gzip', ext: 'tgz' },
};

async function archive(call: RestCall, params: readonly string[]): Promise<void> {
  const formatName = call.query.get('format') ?? 'zip';
  const format = archiveFormats[formatName];
  const at = call.query.get('at');
  const target = await resolveRevision(call, params, at);
  if (!target) return;
  if (!format) {
    return call.fail(
      bdcErrors.validation('format', `${formatName} is not a supported archive format.`),
    );
  }
  const paths: string[] = [];
  for (const requested of call.query.getAll('path')) {
    const parts = requestPath(call, requested, target.revision);
    if (!parts) return;
    if (parts.length === 0) continue;
    if (!(await entryAt(target.gitDir, target.commit, parts))) {
      return call.fail(bdcErrors.noSuchPath(parts.join('/'), target.revision));
    }
    paths.push(parts.join('/'));
  }
  const prefix = call.query.get('prefix');
  const args = ['archive', `--format=${format.git}`];
  if (prefix) args.push(`--prefix=${prefix.endsWith('/') ? prefix : `${prefix}/`}`);
  args.push(target.commit, '--', ...paths);
  const filename =
    call.query.get('filename') ?? archiveName(target.repo.slug, at, target, format.ext);
  const child = streamGit(target.gitDir, args);
  call.response.writeHead(200, {
    'Content-Type': format.type,
    'Content-Disposition': `attachment; filename="${filename.replace(/["\\\r\n]/g, '_')}"`,
  });
  await new Promise<void>((resolve) => {
    child.stdout.pipe(call.response, { end: false });
    child.on('close', (code) => {
      if (code === 0) call.response.end();
      else call.response.destroy();
      resolve();
    });
    call.response.once('close', () => child.kill());
  });
}

/** The OpenAPI's default names: `slug-branch@commit.ext`, `slug-sha.ext` for a commit id. */
function archiveName(slug: string, at: string | null, target: RevisionTarget, ext: string): string {
  const short = target.commit.slice(0, 11);
  if (at !== null && /^[0-9a-f]{40}$/i.test(at)) return `${slug}-${at}.${ext}`;
  const name = (at ?? target.revision).replace(/^refs\/(heads|tags)\//, '').replace(/\//g, '-');
  return `${slug}-${name}@${short}.${ext}`;
}

const PATH = '(?:/(.*))?';

export const contentRoutes: readonly Route[] = [
  route('GET', `${API}${REPO}/browse${PATH}`, browse),
  route('GET', `${API}${REPO}/raw${PATH}`, raw),
  route('GET', `${API}${REPO}/files${PATH}`, files),
  route('GET', `${API}${REPO}/archive`, archive),
];
