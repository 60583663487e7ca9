import { request } from '../net/dispatcher-request.js';
import { FLUSH_PKT, pktLine } from './pkt-line.js';
import { classifyStatus, classifyTransportError, failure } from './push-failure.js';
import { MAX_SMART_HTTP_ANSWER_BYTES, type SmartHttpClient } from './smart-http.js';

export interface PackWanted {
  /** The tip to fetch: a tip the server advertised (receive-pack's discovery, a refusal's report). */
  readonly want: string;
  /** Commits the cache holds (its tracking ref): the server leaves out what they reach. */
  readonly haves: readonly string[];
  /** The cache's shallow boundary (its `shallow` file), so the server does not assume history below it. */
  readonly shallow: readonly string[];
  /**
   * `deepen 1`: only the tip's commit and tree, never older history, whatever happened to the
   * branch (git fetch --depth=1, for the git CLI engine's large repositories). Without it the
   * haves bound the answer — and a deepen without thin deltas would resend the whole tip tree.
   */
  readonly deepen?: 1;
  /**
   * Deltas may refer to objects the haves reach (git completes them with `--fix-thin`); off for
   * a store that cannot complete them (isomorphic-git's pack index).
   */
  readonly thin: boolean;
}

/** Where a fetched pack goes while it streams in: each engine stores it its own way. */
export interface PackSink {
  /** Feeds the next bytes of the pack, waiting while the store is behind. */
  write(chunk: Buffer): Promise<void>;
  /** Ends the pack and waits until every object is stored. */
  end(): Promise<void>;
  /** Gives up after a failed fetch; nothing half-written is left referenced. */
  abort(): void;
}

export interface ShallowUpdate {
  /** Commits that are now the cache's boundary (the fetched tip, its parents left out). */
  readonly shallow: readonly string[];
  readonly unshallow: readonly string[];
}

/**
 * One `git-upload-pack` request (protocol v0, stateless: `gitprotocol-pack`, `gitprotocol-http`),
 * the tip already known — so no ref discovery round trip: wants, the cache's shallow boundary,
 * `deepen 1` when asked, its haves and `done` in one POST. The answer's shallow section is returned; the pack
 * is streamed to `onPack` as it arrives, so a large one never sits in memory.
 *
 * Without multi_ack, upload-pack answers exactly one `ACK <oid>` (a have was common) or `NAK`
 * after the shallow section (present when shallow lines or `deepen` were sent), then the
 * side-band stream (git's upload-pack.c, receive_needs and get_common_commits).
 */
export async function fetchPack(
  client: SmartHttpClient,
  url: string,
  wanted: PackWanted,
  agent: string,
  onPack: (chunk: Buffer) => Promise<void>,
): Promise<ShallowUpdate> {
  const what = `${url} (fetch)`;
  const capabilities = `side-band-64k${wanted.thin ? ' thin-pack' : ''} ofs-delta shallow no-progress agent=${agent}`;
  const body = Buffer.concat([
    pktLine(`want ${wanted.want} ${capabilities}\n`),
    ...wanted.shallow.map((oid) => pktLine(`shallow ${oid}\n`)),
    ...(wanted.deepen === undefined ? [] : [pktLine(`deepen ${wanted.deepen}\n`)]),
    FLUSH_PKT,
    ...wanted.haves.map((oid) => pktLine(`have ${oid}\n`)),
    pktLine('done\n'),
  ]);
  const update = { shallow: [] as string[], unshallow: [] as string[] };
  let response;
  try {
    response = await request(`${url}/git-upload-pack`, {
      method: 'POST',
      headers: {
        ...client.headers,
        'content-type': 'application/x-git-upload-pack-request',
        accept: 'application/x-git-upload-pack-result',
      },
      body,
      dispatcher: client.dispatcher,
    });
  } catch (error) {
    throw classifyTransportError(error, what);
  }
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => undefined);
    throw classifyStatus(response.statusCode, what);
  }
  const protocolError = (detail: string) =>
    failure('fatal', 'PUSH_PROTOCOL_FAILED', `Bitbucket's answer to ${what} ${detail}.`);
  type Stage = 'shallow' | 'acknowledgement' | 'pack' | 'done';
  let stage = 'shallow' as Stage;
  let pending: Buffer = Buffer.alloc(0);
  let lineBytes = 0;
  const packet = async (payload: Buffer | null): Promise<void> => {
    if (stage === 'pack') {
      if (payload === null) {
        stage = 'done';
        return;
      }
      const band = payload[0];
      if (band === 1) await onPack(payload.subarray(1));
      else if (band === 3) {
        throw failure(
          'fatal',
          'PUSH_PROTOCOL_FAILED',
          `Bitbucket aborted ${what}: ${payload.subarray(1).toString('utf8').trim()}`,
        );
      }
      return;
    }
    if (payload !== null) {
      lineBytes += payload.length;
      if (lineBytes > MAX_SMART_HTTP_ANSWER_BYTES) throw protocolError('is not a Git pack');
    }
    const line = payload?.toString('utf8').replace(/\n$/, '');
    // Without `deepen` and shallow lines the answer has no shallow section.
    if (stage === 'shallow' && line !== undefined && (line.startsWith('ACK ') || line === 'NAK'))
      stage = 'acknowledgement';
    if (stage === 'shallow') {
      if (line === undefined) stage = 'acknowledgement';
      else if (line.startsWith('shallow ')) update.shallow.push(line.slice(8));
      else if (line.startsWith('unshallow ')) update.unshallow.push(line.slice(10));
      else if (line.startsWith('ERR ')) throw protocolError(`is an error: ${line.slice(4)}`);
      else throw protocolError(`has an unexpected line "${line.slice(0, 80)}"`);
      return;
    }
    if (line !== undefined && (line.startsWith('ACK ') || line === 'NAK')) {
      stage = 'pack';
      return;
    }
    throw protocolError(`has no acknowledgement`);
  };
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      while (stage !== 'done' && offset + 4 <= pending.length) {
        const length = Number.parseInt(pending.toString('ascii', offset, offset + 4), 16);
        if (Number.isNaN(length)) throw protocolError('is not in pkt-line framing');
        if (length < 4) {
          offset += 4;
          await packet(null);
          continue;
        }
        if (offset + length > pending.length) break;
        await packet(pending.subarray(offset + 4, offset + length));
        offset += length;
      }
      pending = pending.subarray(offset);
    }
  } catch (error) {
    response.body.destroy();
    throw classifyTransportError(error, what);
  }
  if (stage !== 'done') throw protocolError('ended before the pack did');
  return update;
}
