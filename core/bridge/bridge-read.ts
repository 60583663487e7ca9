import type { Dispatcher } from 'undici';
import { request } from '../net/dispatcher-request.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { BridgePolicySettings } from '../../common/models/bridge.js';
import type { Authorization } from '../auth/authorization.js';
import { USER_AGENT } from '../net/user-agent.js';
import { toNetworkError } from '../net/network-error.js';
import { ChunkEncoder, chunkViews } from './binary-chunk.js';
import type { PlatformFrame } from './bridge-frames.js';
import { requestHeadersForBdc, responseHeadersForPlatform } from './bridge-headers.js';
import { bridgeTargetUrl, checkBridgePath } from './bridge-path.js';
import { decideRead, DEFAULT_READ_RULES, type ReadRule } from './read-rules.js';

/** The companion's own way into BDC: the signed-in installation's network and credential. */
export interface BridgeBdcAccess {
  readonly baseUrl: string;
  readonly dispatcher: Dispatcher;
  readonly authorization: Authorization;
}

/** Where a read's frames go; each send resolves once the socket took the bytes (backpressure). */
export interface BridgeFrameSink {
  sendJson(frame: Readonly<Record<string, unknown>>): Promise<void>;
  /** A binary frame; the sink is done with the bytes when `sendBinary` returns. */
  sendBinary(frame: Uint8Array): Promise<void>;
}

export interface ReadSummary {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
  readonly truncated: boolean;
  readonly project?: string;
  readonly repo?: string;
}

type HttpFrame = Extract<PlatformFrame, { kind: 'http' }>;

/** Policy first: a path that fails a check or matches no rule never reaches BDC. */
export function authorizeRead(
  frame: HttpFrame,
  policy: BridgePolicySettings,
  rules: readonly ReadRule[] = DEFAULT_READ_RULES,
): { readonly project?: string; readonly repo?: string } {
  checkBridgePath(
    frame.path,
    rules.some((rule) => rule.plugins === true),
  );
  const decision = decideRead(frame.method, frame.path, policy, rules);
  if (decision.kind === 'denied') {
    throw new CompanionError('BRIDGE_POLICY_DENIED', `The read was refused: ${decision.reason}.`, {
      data: { method: frame.method, path: frame.path },
    });
  }
  return {
    ...(decision.project === undefined ? {} : { project: decision.project }),
    ...(decision.repo === undefined ? {} : { repo: decision.repo }),
  };
}

/**
 * Runs one `http` read (BRIDGE.md): checks it, calls BDC with the companion's credential and
 * streams the answer back as binary chunks, never holding more than one chunk of it. The
 * platform's headers other than the accept list are dropped; BDC's identity headers and cookies
 * are not passed back.
 */
export async function runBridgeRead(
  frame: HttpFrame,
  access: BridgeBdcAccess,
  policy: BridgePolicySettings,
  sink: BridgeFrameSink,
  options: { readonly signal: AbortSignal; readonly maxBodyBytes: number },
): Promise<ReadSummary> {
  const scope = authorizeRead(frame, policy);
  const url = bridgeTargetUrl(access.baseUrl, frame.path, frame.query);
  const send = async (): Promise<Dispatcher.ResponseData> =>
    request(url, {
      method: frame.method as 'GET' | 'HEAD',
      dispatcher: access.dispatcher,
      signal: options.signal,
      headers: {
        ...requestHeadersForBdc(frame.headers),
        authorization: await access.authorization.header(),
        'user-agent': USER_AGENT,
      },
    });
  let response: Dispatcher.ResponseData;
  try {
    response = await send();
    if (response.statusCode === 401 && (await access.authorization.refresh())) {
      await response.body.dump();
      response = await send();
    }
  } catch (error) {
    if (options.signal.aborted) throw abortReason(options.signal);
    throw toNetworkError(error, url.origin);
  }
  const headers = responseHeadersForPlatform(response.headers);
  const length = Number(response.headers['content-length']);
  await sink.sendJson({
    type: 'http.response',
    id: frame.id,
    status: response.statusCode,
    headers,
    ...(Number.isFinite(length) ? { bodyBytes: Math.min(length, options.maxBodyBytes) } : {}),
  });
  let bytes = 0;
  let truncated = false;
  const encoder = new ChunkEncoder(frame.id);
  try {
    for await (const piece of response.body as AsyncIterable<Buffer>) {
      let view: Uint8Array = piece;
      if (bytes + view.byteLength > options.maxBodyBytes) {
        view = view.subarray(0, options.maxBodyBytes - bytes);
        truncated = true;
      }
      for (const chunk of chunkViews(view)) await sink.sendBinary(encoder.frame(chunk));
      bytes += view.byteLength;
      if (truncated) break;
    }
  } catch (error) {
    if (options.signal.aborted) throw abortReason(options.signal);
    throw toNetworkError(error, url.origin);
  } finally {
    if (truncated || options.signal.aborted) response.body.destroy();
  }
  await sink.sendJson({
    type: 'http.end',
    id: frame.id,
    bodyBytes: bytes,
    ...(truncated ? { truncated: true } : {}),
  });
  return {
    method: frame.method,
    path: frame.path,
    status: response.statusCode,
    bytes,
    truncated,
    ...scope,
  };
}

function abortReason(signal: AbortSignal): CompanionError {
  return signal.reason instanceof CompanionError
    ? signal.reason
    : new CompanionError('BRIDGE_CANCELLED', 'The request was cancelled.');
}
