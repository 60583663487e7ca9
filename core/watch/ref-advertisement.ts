import type { Dispatcher } from 'undici';
import { request } from '../net/dispatcher-request.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Authorization } from '../auth/authorization.js';
import { retryAfterMs } from '../bdc/bdc-error-envelope.js';
import { ZERO_OID } from '../git/git-objects.js';
import { parsePktLines } from '../git/pkt-line.js';
import { USER_AGENT } from '../net/user-agent.js';
import { toNetworkError } from '../net/network-error.js';

/** Where a ref stands: its own hash, and for an annotated tag the commit it points to. */
export interface RefState {
  readonly hash: string;
  /** The commit behind an annotated tag (`<ref>^{}` in the advertisement). */
  readonly peeled?: string;
}

export type RefSnapshot = ReadonlyMap<string, RefState>;

/** A repository's refs, and the branch HEAD names (the default branch) when advertised. */
export interface AdvertisedRefs {
  readonly refs: Map<string, RefState>;
  readonly head: string | undefined;
}

/**
 * A repository with thousands of refs advertises a few hundred KiB; 32 MiB bounds a misbehaving
 * server or proxy without refusing any real repository (about 500 000 refs).
 */
export const MAX_ADVERTISEMENT_BYTES = 32 * 1024 * 1024;

/** The refs BDC reports in `repo:refs_changed`: branches and tags (not pull-request refs). */
export function isWatchedRef(ref: string): boolean {
  return ref.startsWith('refs/heads/') || ref.startsWith('refs/tags/');
}

/**
 * Parses git's smart-HTTP ref advertisement for upload-pack (protocol v0: `# service=…`, flush,
 * then `<oid> <ref>` lines, the first carrying capabilities after a NUL, annotated tags followed
 * by `<commit> <ref>^{}`). Only branches and tags are kept.
 */
export function parseRefAdvertisement(body: Buffer): AdvertisedRefs {
  const refs = new Map<string, { hash: string; peeled?: string }>();
  let head: string | undefined;
  for (const packet of parsePktLines(body)) {
    if (packet === null) continue;
    let line = packet.toString('utf8').replace(/\n$/, '');
    if (line.startsWith('# service=')) continue;
    const nul = line.indexOf('\u0000');
    if (nul >= 0) {
      const symref = /(?:^| )symref=HEAD:(\S+)/.exec(line.slice(nul + 1));
      if (symref !== null) head = symref[1];
      line = line.slice(0, nul);
    }
    const space = line.indexOf(' ');
    if (space !== 40) continue;
    const hash = line.slice(0, 40);
    const name = line.slice(41);
    if (!/^[0-9a-f]{40}$/.test(hash) || hash === ZERO_OID) continue;
    if (name.endsWith('^{}')) {
      const tag = refs.get(name.slice(0, -3));
      if (tag !== undefined) tag.peeled = hash;
      continue;
    }
    if (isWatchedRef(name)) refs.set(name, { hash });
  }
  return { refs, head };
}

export interface RefReader {
  readonly dispatcher: Dispatcher;
  readonly authorization: Authorization;
}

/**
 * One `GET {clone}/info/refs?service=git-upload-pack`: every branch and tag of a repository in
 * one request, whatever their number (docs/watch-mode.md says why this and not REST). No
 * `Git-Protocol: version=2` header is sent, so the server answers with the full v0 ref list.
 * 429 and 503 become WATCH_BDC_BUSY carrying BDC's Retry-After, for the watch to back off.
 */
export async function readRefs(
  reader: RefReader,
  cloneUrl: string,
  signal?: AbortSignal,
): Promise<AdvertisedRefs> {
  const url = `${cloneUrl.replace(/\/+$/, '')}/info/refs?service=git-upload-pack`;
  const where = `GET ${cloneUrl}/info/refs`;
  let status: number;
  let headers: Record<string, string | string[] | undefined>;
  let body: Buffer;
  try {
    const response = await request(url, {
      method: 'GET',
      headers: {
        authorization: await reader.authorization.header(),
        accept: 'application/x-git-upload-pack-advertisement',
        'user-agent': USER_AGENT,
      },
      dispatcher: reader.dispatcher,
      ...(signal ? { signal } : {}),
    });
    status = response.statusCode;
    headers = response.headers;
    body = await readBounded(response.body, MAX_ADVERTISEMENT_BYTES, where);
  } catch (error) {
    if (error instanceof CompanionError) throw error;
    throw toNetworkError(error, where);
  }
  if (status === 429 || status === 503) {
    throw new CompanionError('WATCH_BDC_BUSY', `Bitbucket answered ${status} to ${where}.`, {
      data: { status, retryAfterMs: retryAfterMs(single(headers['retry-after'])) },
    });
  }
  if (status !== 200) {
    throw new CompanionError('WATCH_READ_FAILED', `Bitbucket answered ${status} to ${where}.`, {
      data: { status },
    });
  }
  const type = single(headers['content-type']) ?? '';
  if (!type.startsWith('application/x-git-upload-pack-advertisement')) {
    throw new CompanionError(
      'WATCH_READ_FAILED',
      `Bitbucket did not answer ${where} with a Git ref advertisement (${type || 'no type'}).`,
      { data: { status } },
    );
  }
  return parseRefAdvertisement(body);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readBounded(
  body: AsyncIterable<Uint8Array> & { destroy?: () => void },
  limit: number,
  where: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy?.();
      throw new CompanionError(
        'WATCH_READ_FAILED',
        `The answer to ${where} exceeds ${limit} bytes.`,
        { data: { limit } },
      );
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, size);
}
