import type WebSocket from 'ws';
import { CompanionError, toErrorShape } from '../../common/errors/companion-error.js';
import type {
  BridgeConnectionState,
  BridgePolicySettings,
  BridgeRequestOutcome,
  BridgeRequestRecord,
  BridgeStatus,
} from '../../common/models/bridge.js';
import { COMPANION_VERSION } from '../../common/version.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { ProxyChoice } from '../net/network-options.js';
import {
  BRIDGE_PROTOCOL_VERSION,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_IN_FLIGHT,
  PING_INTERVAL_MS,
  PONG_TIMEOUT_MS,
  WELCOME_TIMEOUT_MS,
} from './bridge-limits.js';
import type { BridgePushRunner } from './bridge-push.js';
import type { BridgeBdcAccess } from './bridge-read.js';
import { runBridgeSession } from './bridge-session.js';
import { openBridgeSocket, type BridgeConnectFailure } from './bridge-socket.js';
import { DEFAULT_READ_RULES } from './read-rules.js';
import { ReconnectBackoff, type ReconnectBackoffOptions } from './reconnect-backoff.js';
import { startWakeDetector } from './wake-detector.js';

export interface BridgeClientOptions {
  /** `{platform}/bridge/bitbucket-dc/{installation id}` */
  readonly url: string;
  readonly platformInstallationId: string;
  readonly platformCaPems: readonly string[];
  readonly bdcBaseUrl: string;
  /** Read fresh at each connection attempt, so a replaced token is picked up. */
  readonly token: () => Promise<string | undefined>;
  readonly access: () => Promise<BridgeBdcAccess>;
  readonly policy: () => BridgePolicySettings;
  readonly pushes: BridgePushRunner;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly proxy?: ProxyChoice;
  readonly bdcVersion?: () => Promise<string | undefined>;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly backoff?: ReconnectBackoffOptions;
  readonly maxInFlight?: number;
  readonly maxBodyBytes?: number;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  /** How often a refused or missing token is looked up again. */
  readonly tokenPollMs?: number;
  readonly onState?: (status: BridgeStatus) => void;
  readonly onRequest?: (record: BridgeRequestRecord) => void;
}

export interface BridgeClient {
  status(): BridgeStatus;
  /** The last requests, newest last (at most 50). */
  recentRequests(): readonly BridgeRequestRecord[];
  /** Looks the token up again now (after `installation update --bridge-token-stdin`). */
  tokenChanged(): void;
  stop(): Promise<void>;
}

const RECENT = 50;

/**
 * The bridge's life (BRIDGE.md, "Connection"): connect, hello, wait for welcome, serve, ping every
 * 20 s and drop a connection whose pong is 10 s late, reconnect with full-jitter backoff — at once
 * after a wake from sleep — and stop on a refused token until the token is replaced.
 */
export function startBridgeClient(options: BridgeClientOptions): BridgeClient {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const backoff = new ReconnectBackoff(options.backoff);
  const counts: Record<BridgeRequestOutcome, number> = {
    ok: 0,
    denied: 0,
    failed: 0,
    cancelled: 0,
  };
  const recent: BridgeRequestRecord[] = [];
  let state: BridgeConnectionState = 'connecting';
  let connectedSince: number | undefined;
  let lastError: { code: string; message: string } | undefined;
  let stopped = false;
  let current: WebSocket | undefined;
  let wake: (() => void) | undefined;
  let woke = false;
  const platformUrl = new URL(options.url).origin;

  const status = (): BridgeStatus => ({
    state,
    platformUrl,
    connectedSince:
      connectedSince === undefined ? undefined : new Date(connectedSince).toISOString(),
    reconnectAttempts: backoff.attempts,
    lastRequest: recent[recent.length - 1],
    counts: { ...counts },
    lastError,
  });

  const setState = (next: BridgeConnectionState, error?: unknown): void => {
    if (error !== undefined) {
      const shape = toErrorShape(error);
      lastError = { code: shape.code, message: shape.message };
    }
    const changed = next !== state || error !== undefined;
    state = next;
    if (changed) {
      logger.info('bridge state', {
        state: next,
        ...(lastError && error !== undefined ? { code: lastError.code } : {}),
      });
      options.onState?.(status());
    }
  };

  /** Resolves after `ms`, or earlier on stop, a token nudge or a wake. */
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const stopWake = startWakeDetector((sleptMs) => {
    logger.info('bridge: woke from sleep, reconnecting', { sleptMs });
    woke = true;
    current?.terminate();
    wake?.();
  });

  const onRequest = (record: BridgeRequestRecord): void => {
    counts[record.outcome] += 1;
    recent.push(record);
    if (recent.length > RECENT) recent.shift();
    logger.info('bridge request', { ...record });
    options.onRequest?.(record);
  };

  const hello = (): Record<string, unknown> => {
    const policy = options.policy();
    return {
      type: 'hello',
      protocol: BRIDGE_PROTOCOL_VERSION,
      companion: COMPANION_VERSION,
      installation: options.platformInstallationId,
      bdc: {
        ...(bdcVersion === undefined ? {} : { version: bdcVersion }),
        baseUrl: options.bdcBaseUrl,
      },
      limits: {
        maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
        maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      },
      policy: { read: DEFAULT_READ_RULES.map((rule) => rule.name), push: [...policy.push] },
    };
  };
  let bdcVersion: string | undefined;

  /** Sends the hello and waits for the welcome; nothing runs before it. */
  const handshake = (socket: WebSocket): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new CompanionError('BRIDGE_TIMEOUT', 'The platform did not answer the hello.'));
      }, WELCOME_TIMEOUT_MS);
      const onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
        if (isBinary) return;
        try {
          const frame = JSON.parse(String(data)) as { type?: unknown };
          if (frame.type === 'welcome') {
            cleanup();
            resolve();
          }
        } catch {
          // Anything before the welcome is ignored.
        }
      };
      const onClose = (): void => {
        cleanup();
        reject(
          new CompanionError(
            'NETWORK_FAILED',
            'The platform closed the bridge before the welcome.',
          ),
        );
      };
      function cleanup(): void {
        clearTimeout(timer);
        socket.off('message', onMessage);
        socket.off('close', onClose);
      }
      socket.on('message', onMessage);
      socket.on('close', onClose);
      socket.send(JSON.stringify(hello()));
    });

  /** Serves one welcomed connection until it closes; pings it and ends it on a late pong. */
  const serve = (socket: WebSocket): Promise<void> =>
    new Promise((resolve) => {
      const session = runBridgeSession({
        socket,
        access: options.access,
        policy: options.policy,
        pushes: options.pushes,
        maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
        maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        now,
        onRequest,
      });
      let pongTimer: NodeJS.Timeout | undefined;
      const pingTimer = setInterval(() => {
        if (pongTimer !== undefined) return;
        socket.ping();
        pongTimer = setTimeout(() => {
          logger.warn('bridge: no pong in time, reconnecting');
          lastError = {
            code: 'BRIDGE_TIMEOUT',
            message: 'The platform did not answer a ping in time.',
          };
          socket.terminate();
        }, options.pongTimeoutMs ?? PONG_TIMEOUT_MS);
      }, options.pingIntervalMs ?? PING_INTERVAL_MS);
      socket.on('pong', () => {
        clearTimeout(pongTimer);
        pongTimer = undefined;
      });
      socket.once('close', () => {
        clearInterval(pingTimer);
        clearTimeout(pongTimer);
        session.close();
        resolve();
      });
    });

  /** Waits until the token differs from the refused one (or stop). */
  const awaitNewToken = async (refused: string | undefined): Promise<void> => {
    while (!stopped) {
      await pause(options.tokenPollMs ?? 5_000);
      const token = await options.token().catch(() => undefined);
      if (token !== undefined && token !== refused) return;
    }
  };

  const loop = async (): Promise<void> => {
    if (options.bdcVersion !== undefined) {
      bdcVersion = await options.bdcVersion().catch(() => undefined);
    }
    while (!stopped) {
      const token = await options.token().catch((error: unknown) => {
        setState('stopped', error);
        return undefined;
      });
      if (token === undefined) {
        if (state !== 'stopped') {
          setState(
            'stopped',
            new CompanionError('BRIDGE_TOKEN_MISSING', 'No bridge token is stored.'),
          );
        }
        await awaitNewToken(undefined);
        continue;
      }
      setState(
        connectedSince === undefined && backoff.attempts === 0 ? 'connecting' : 'reconnecting',
      );
      let socket: WebSocket;
      try {
        socket = await openBridgeSocket({
          url: options.url,
          token,
          caPems: options.platformCaPems,
          env: options.env,
          ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
        });
      } catch (failure) {
        const { kind, error } = failure as BridgeConnectFailure;
        if (kind === 'refused' || kind === 'unsupported') {
          setState(kind === 'refused' ? 'refused' : 'stopped', error);
          await awaitNewToken(token);
          backoff.reset();
          continue;
        }
        lastError = { code: toErrorShape(error).code, message: toErrorShape(error).message };
        setState('reconnecting', error);
        await pause(backoff.nextDelay(now(), options.random));
        continue;
      }
      current = socket;
      socket.on('error', (error) => logger.debug('bridge socket error', { error: error.message }));
      try {
        await handshake(socket);
      } catch (error) {
        socket.terminate();
        current = undefined;
        setState('reconnecting', error);
        await pause(backoff.nextDelay(now(), options.random));
        continue;
      }
      backoff.connected(now());
      connectedSince = now();
      setState('connected');
      await serve(socket);
      current = undefined;
      connectedSince = undefined;
      if (stopped) break;
      const delay = woke ? 0 : backoff.nextDelay(now(), options.random);
      woke = false;
      setState('reconnecting');
      await pause(delay);
    }
    setState('stopped');
  };

  const running = loop().catch((error: unknown) => {
    logger.error('bridge stopped on an unexpected error', { error: String(error) });
    setState('stopped', error);
  });

  return {
    status,
    recentRequests: () => [...recent],
    tokenChanged: () => wake?.(),
    async stop() {
      stopped = true;
      stopWake();
      wake?.();
      current?.close(1001, 'companion stopping');
      setTimeout(() => current?.terminate(), 2_000).unref();
      await running;
    },
  };
}
