import { Agent as HttpsAgent, type AgentOptions, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import WebSocket from 'ws';
import { CompanionError } from '../../common/errors/companion-error.js';
import { trustContext } from '../net/trust-context.js';
import { USER_AGENT } from '../net/user-agent.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../net/network-options.js';
import { toNetworkError } from '../net/network-error.js';
import { proxyFor, resolveProxySettings } from '../net/proxy-settings.js';
import type { ProxyChoice } from '../net/network-options.js';
import { openTunnel } from '../net/proxy-tunnel.js';
import { routeChoice } from '../net/route-choice.js';
import { BRIDGE_SUBPROTOCOL, MAX_FRAME_BYTES } from './bridge-limits.js';

export interface BridgeSocketOptions {
  /** `https://platform…/bridge/bitbucket-dc/{id}`, turned into `wss:`. */
  readonly url: string;
  readonly token: string;
  /** The installation's platform CAs, trusted in addition to the runtime roots. */
  readonly caPems: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly proxy?: ProxyChoice;
  readonly connectTimeoutMs?: number;
}

/**
 * Why a connection attempt failed: `refused` and `unsupported` stop the bridge (retrying a bad
 * token only locks the account out at the platform), `retry` goes through the backoff.
 */
export type BridgeConnectFailure =
  | { readonly kind: 'refused'; readonly error: CompanionError }
  | { readonly kind: 'unsupported'; readonly error: CompanionError }
  | { readonly kind: 'retry'; readonly error: CompanionError };

/**
 * An https.Agent whose sockets go through the proxy with CONNECT (`core/net/proxy-tunnel.ts`, the
 * probe's tunnel) and then TLS to the platform with the same trust as every other path.
 */
class TunnelAgent extends HttpsAgent {
  constructor(
    private readonly proxyUrl: string,
    private readonly caPems: readonly string[],
    private readonly timeoutMs: number,
    options: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: RequestOptions & { servername?: string },
    callback?: (error: Error | null, socket: Duplex) => void,
  ): Duplex | undefined {
    const host = String(options.hostname ?? options.host ?? '').replace(/^\[|\]$/g, '');
    openTunnel({
      proxy: this.proxyUrl,
      host,
      port: Number(options.port ?? 443),
      timeoutMs: this.timeoutMs,
      caPems: this.caPems,
    }).then(
      (raw) => {
        const secure = tls.connect({
          socket: raw,
          servername: options.servername ?? host,
          secureContext: trustContext(this.caPems),
          rejectUnauthorized: true,
          ALPNProtocols: ['http/1.1'],
        });
        callback?.(null, secure);
      },
      // Node's Agent accepts an error with no socket; its type insists on one.
      (error: unknown) => callback?.(error as Error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

function wsUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') {
    throw new CompanionError('HTTPS_REQUIRED', 'The platform URL must use https://.');
  }
  parsed.protocol = 'wss:';
  return parsed.href;
}

/**
 * Opens the bridge's WebSocket (the `ws` library: it reports the status of a refused upgrade and
 * has ping/pong, which the WHATWG WebSocket of undici does not expose — `docs/bridge.md`).
 * Trust: runtime roots + the platform CAs; TLS verification always on. Proxy: an explicit choice,
 * else the process routing (`core/net/route-choice.ts`), through CONNECT.
 */
export async function openBridgeSocket(options: BridgeSocketOptions): Promise<WebSocket> {
  let choice: ProxyChoice | undefined;
  try {
    choice = await routeChoice(
      options.url,
      options.proxy === undefined ? {} : { proxy: options.proxy },
    );
  } catch (error) {
    // A PAC file that cannot be loaded now may load at the next attempt: back off and retry.
    const failure: BridgeConnectFailure = {
      kind: 'retry',
      error:
        error instanceof CompanionError
          ? error
          : new CompanionError('PROXY_FAILED', (error as Error).message, { cause: error }),
    };
    throw failure;
  }
  return connectBridgeSocket(options, choice);
}

function connectBridgeSocket(
  options: BridgeSocketOptions,
  choice: ProxyChoice | undefined,
): Promise<WebSocket> {
  const target = wsUrl(options.url);
  const httpsTarget = new URL(options.url);
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const proxyUrl =
    choice === undefined
      ? proxyFor(httpsTarget, resolveProxySettings(options.env))
      : choice.kind === 'proxy'
        ? choice.url
        : undefined;
  const agent =
    proxyUrl === undefined
      ? undefined
      : new TunnelAgent(proxyUrl, options.caPems, timeoutMs, { keepAlive: false });
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(target, [BRIDGE_SUBPROTOCOL], {
      headers: { Authorization: `Bearer ${options.token}`, 'User-Agent': USER_AGENT },
      handshakeTimeout: timeoutMs,
      maxPayload: MAX_FRAME_BYTES + 64 * 1024,
      perMessageDeflate: false,
      followRedirects: false,
      // Passed through to tls.connect; ws's option type does not list every TLS option.
      ...({ secureContext: trustContext(options.caPems) } as object),
      rejectUnauthorized: true,
      ...(agent === undefined ? {} : { agent }),
    });
    let settled = false;
    const fail = (failure: BridgeConnectFailure): void => {
      if (settled) return;
      settled = true;
      socket.terminate();
      reject(failure);
    };
    socket.once('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      if (status === 401 || status === 403) {
        fail({
          kind: 'refused',
          error: new CompanionError(
            'BRIDGE_TOKEN_REFUSED',
            `The platform refused the bridge token (HTTP ${status}).`,
            { data: { status } },
          ),
        });
      } else if (status === 404 || status === 426) {
        fail({
          kind: 'unsupported',
          error: new CompanionError(
            'BRIDGE_UNSUPPORTED',
            `The platform does not offer the bridge at this address (HTTP ${status}).`,
            { data: { status } },
          ),
        });
      } else {
        fail({
          kind: 'retry',
          error: new CompanionError(
            'NETWORK_FAILED',
            `The platform answered the bridge connection with HTTP ${status}.`,
            { data: { status } },
          ),
        });
      }
    });
    socket.once('open', () => {
      if (socket.protocol !== BRIDGE_SUBPROTOCOL) {
        fail({
          kind: 'unsupported',
          error: new CompanionError(
            'BRIDGE_UNSUPPORTED',
            `The platform chose the subprotocol "${socket.protocol.slice(0, 80)}", not ${BRIDGE_SUBPROTOCOL}.`,
          ),
        });
        return;
      }
      settled = true;
      resolve(socket);
    });
    socket.once('error', (error) => {
      if (error.message.includes('Server sent no subprotocol')) {
        fail({
          kind: 'unsupported',
          error: new CompanionError(
            'BRIDGE_UNSUPPORTED',
            `The platform did not accept the subprotocol ${BRIDGE_SUBPROTOCOL}.`,
          ),
        });
        return;
      }
      fail({ kind: 'retry', error: toNetworkError(error, httpsTarget.origin) });
    });
  });
}
