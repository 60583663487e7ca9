import type { Dispatcher } from 'undici';
import { request } from '../net/dispatcher-request.js';
import { readBounded } from '../io/bounded-read.js';
import { ZERO_OID } from './git-objects.js';
import { demultiplexSideband, FLUSH_PKT, parsePktLines, pktLine } from './pkt-line.js';
import {
  classifyRefRejection,
  classifyStatus,
  classifyTransportError,
  failure,
} from './push-failure.js';

export interface SmartHttpClient {
  readonly dispatcher: Dispatcher;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Advertisement {
  readonly refs: ReadonlyMap<string, string>;
  readonly capabilities: ReadonlySet<string>;
}

/**
 * The bound of a ref advertisement or a push report: generous for repositories with hundreds of
 * thousands of refs (about 60 bytes each), far below what an endless answer would take.
 */
export const MAX_SMART_HTTP_ANSWER_BYTES = 64 * 1024 * 1024;

function readBody(body: AsyncIterable<Uint8Array>, what: string): Promise<Buffer> {
  return readBounded(body, MAX_SMART_HTTP_ANSWER_BYTES, () =>
    failure(
      'fatal',
      'PUSH_PROTOCOL_FAILED',
      `Bitbucket answered ${what} with more than ${MAX_SMART_HTTP_ANSWER_BYTES / 1024 / 1024} MiB; that is not a Git protocol answer.`,
    ),
  );
}

function contentType(headers: Record<string, string | string[] | undefined>): string {
  const value = headers['content-type'];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Parses a smart-HTTP ref advertisement (`# service=…`, flush, `<oid> <ref>\0caps`, …). */
export function parseAdvertisement(body: Buffer): Advertisement {
  const refs = new Map<string, string>();
  let capabilities = new Set<string>();
  let first = true;
  for (const packet of parsePktLines(body)) {
    if (packet === null) continue;
    const line = packet.toString('utf8').replace(/\n$/, '');
    if (line.startsWith('# service=')) continue;
    let refPart = line;
    if (first) {
      const nul = line.indexOf('\u0000');
      if (nul >= 0) {
        capabilities = new Set(
          line
            .slice(nul + 1)
            .split(' ')
            .filter(Boolean),
        );
        refPart = line.slice(0, nul);
      }
      first = false;
    }
    const [oid, name] = refPart.split(' ');
    if (oid && name && oid !== ZERO_OID && name !== 'capabilities^{}') refs.set(name, oid);
  }
  return { refs, capabilities };
}

/**
 * Asks receive-pack where every ref stands. This is also where BDC checks write access, so a
 * read-only credential is refused here (403) before anything is fetched or uploaded.
 */
export async function discoverReceivePack(
  client: SmartHttpClient,
  url: string,
): Promise<Advertisement> {
  const what = `${url} (receive-pack)`;
  try {
    const response = await request(`${url}/info/refs?service=git-receive-pack`, {
      method: 'GET',
      headers: { ...client.headers, accept: 'application/x-git-receive-pack-advertisement' },
      dispatcher: client.dispatcher,
    });
    const body = await readBody(response.body, what);
    if (response.statusCode !== 200) throw classifyStatus(response.statusCode, what);
    if (contentType(response.headers) !== 'application/x-git-receive-pack-advertisement') {
      throw failure(
        'fatal',
        'PUSH_PROTOCOL_FAILED',
        `Bitbucket did not answer ${what} with the Git protocol.`,
      );
    }
    return parseAdvertisement(body);
  } catch (error) {
    throw classifyTransportError(error, what);
  }
}

export interface RefUpdate {
  readonly ref: string;
  /** The tip the new commit was built on: the server applies the update only if the ref is there. */
  readonly oldOid: string;
  readonly newOid: string;
}

/**
 * Sends one ref update with its pack and reads the report. The server compares `oldOid` with the
 * ref under its lock (receive-pack's compare-and-swap), so a branch that moved since discovery is
 * refused ("failed to update ref"), never overwritten.
 */
export async function sendReceivePack(
  client: SmartHttpClient,
  url: string,
  update: RefUpdate,
  pack: Uint8Array,
  agent: string,
): Promise<{ readonly messages: string }> {
  const what = `${url} (push)`;
  const capabilities = `report-status side-band-64k quiet agent=${agent}`;
  const payload = Buffer.concat([
    pktLine(`${update.oldOid} ${update.newOid} ${update.ref}\u0000${capabilities}\n`),
    FLUSH_PKT,
    Buffer.from(pack),
  ]);
  let body: Buffer;
  try {
    const response = await request(`${url}/git-receive-pack`, {
      method: 'POST',
      headers: {
        ...client.headers,
        'content-type': 'application/x-git-receive-pack-request',
        accept: 'application/x-git-receive-pack-result',
      },
      body: payload,
      dispatcher: client.dispatcher,
    });
    body = await readBody(response.body, what);
    if (response.statusCode !== 200) throw classifyStatus(response.statusCode, what);
  } catch (error) {
    throw classifyTransportError(error, what);
  }
  const streams = demultiplexSideband(parsePktLines(body));
  const messages = streams.messages;
  if (streams.error !== '') {
    throw failure('fatal', 'PUSH_REJECTED', `Bitbucket aborted the push: ${streams.error.trim()}`);
  }
  const report = parsePktLines(streams.data)
    .filter((packet): packet is Buffer => packet !== null)
    .map((packet) => packet.toString('utf8').replace(/\n$/, ''));
  const unpack = report.find((line) => line.startsWith('unpack '));
  const refLine = report.find(
    (line) => line.endsWith(` ${update.ref}`) || line.includes(` ${update.ref} `),
  );
  if (refLine?.startsWith('ng ')) {
    const reason = refLine.slice(`ng ${update.ref} `.length);
    throw classifyRefRejection(
      reason,
      hookText(messages),
      update.ref,
      movedTip(messages, update.ref, update.oldOid),
    );
  }
  if (unpack !== 'unpack ok') {
    throw failure(
      'fatal',
      'PUSH_REJECTED',
      `Bitbucket could not unpack the pushed objects (${unpack ?? 'no report'}).`,
    );
  }
  if (refLine !== `ok ${update.ref}`) {
    throw failure(
      'fatal',
      'PUSH_REJECTED',
      `Bitbucket did not confirm the update of ${update.ref}.`,
    );
  }
  return { messages };
}

/**
 * Where the ref stood when receive-pack's compare-and-swap refused the update. git's receive-pack
 * reports the failed ref transaction on the side band as `error: cannot lock ref '<ref>': is at
 * <oid> but expected <old oid>` (refs/files-backend.c, `lock_raw_ref`/`check_old_oid`), a fact
 * read under the server's ref lock. Undefined when the text is not there (another server, another
 * wording): the next attempt then asks the server where the branch stands.
 */
export function movedTip(messages: string, ref: string, expected: string): string | undefined {
  for (const match of messages.matchAll(
    /cannot lock ref '([^']+)': is at ([0-9a-f]{40}) but expected ([0-9a-f]{40})/g,
  )) {
    if (match[1] === ref && match[3] === expected && match[2] !== expected) return match[2];
  }
  return undefined;
}

/** The hook's text, as BDC prints it, without git's progress noise. */
export function hookText(messages: string): string {
  return messages
    .split(/\r?\n|\r/)
    .map((line) => line.replace(/^remote: ?/, '').trimEnd())
    .filter(
      (line) =>
        line !== '' && !/^(Resolving deltas|Counting objects|Compressing objects)/.test(line),
    )
    .join('\n');
}
