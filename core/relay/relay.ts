import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Database } from 'better-sqlite3';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { RelayEvent, RelayStatus } from '../../common/models/relay.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { deliveryQueries } from './delivery-queries.js';
import { deliveryStore, type IncomingDelivery, type InsertOutcome } from './delivery-store.js';
import type { ForwardTransport } from './forward-transport.js';
import { Forwarder } from './forwarder.js';
import { GroupCommit } from './group-commit.js';
import { formatListenAddress, type ListenAddress } from './listen-address.js';
import { RelayEvents, type RelayListener } from './relay-events.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { SecretCache } from './secret-cache.js';
import {
  DEFAULT_CONNECTION_LIMITS,
  limitConnections,
  type ConnectionLimits,
} from '../net/connection-limits.js';
import { IntakeBudget } from './intake-budget.js';
import {
  createWebhookHandler,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_INTAKE_BUDGET,
  WEBHOOK_PATH_PREFIX,
  type ListenerOptions,
} from './webhook-listener.js';
import { startRelayHeartbeat, type RelayHeartbeat } from './relay-heartbeat.js';

export const DEFAULT_RETENTION_DAYS = 7;

export interface RelayInstallation {
  /** The companion's installation id. */
  readonly id: string;
  /** `https://platform.ankra.io` (no trailing slash needed). */
  readonly platformBaseUrl: string;
  readonly platformInstallationId: string;
  /** Event keys forwarded; others are acknowledged and dropped. Default `repo:refs_changed`. */
  readonly allowedEvents?: readonly string[];
}

export interface RelayTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

export interface StartRelayOptions {
  /** From `openDatabase(home)` (WAL, synchronous=FULL); the relay does not close it. */
  readonly database: Database;
  readonly installation: RelayInstallation;
  /** Current webhook secret first, then any still accepted during a rotation. */
  readonly loadSecrets: () => Promise<readonly string[]>;
  /** How deliveries reach the platform (`createHttpTransport(createDispatcher(...))`). */
  readonly transport: ForwardTransport;
  readonly listen: ListenAddress;
  /** A user-provided certificate: BDC then calls the relay over HTTPS. */
  readonly tls?: RelayTls;
  readonly bodyLimitBytes?: number;
  /** Body bytes held in memory at once across requests (default `DEFAULT_INTAKE_BUDGET`). */
  readonly intakeBudget?: {
    readonly sharedBytes: number;
    readonly smallReserveBytes: number;
    readonly smallBodyBytes: number;
  };
  readonly connectionLimits?: ConnectionLimits;
  /** A body that stops arriving for this long is cut off (default 10 s). */
  readonly bodyIdleTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly concurrency?: number;
  readonly attemptTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  /** Delivered deliveries older than this are pruned (hourly). */
  readonly retentionDays?: number;
  /** How often secrets are re-read even without a failed signature. */
  readonly secretRefreshMs?: number;
  /** How often the relay records in the database that it is alive (`relay status` reads it). */
  readonly heartbeatMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly logger?: Logger;
  /** With watch mode on: decides, in the storing transaction, whether a BDC delivery is new. */
  readonly admitRefsChanged?: ListenerOptions['admitRefsChanged'];
}

export interface RunningRelay {
  /** `http(s)://host:port` actually bound. */
  readonly url: string;
  /** The URL to give BDC when it reaches this machine at `listen` (use the public name otherwise). */
  readonly webhookUrl: string;
  readonly listen: ListenAddress;
  readonly targetUrl: string;
  status(): RelayStatus;
  subscribe(listener: RelayListener): () => void;
  /**
   * Queues events the companion built itself (watch mode) in the same durable queue as BDC's
   * deliveries. `work` runs inside the storing transaction, so the caller's own bookkeeping
   * (the watch's stored refs) commits together with the events it returns.
   */
  enqueue(work: () => readonly IncomingDelivery[]): Promise<InsertOutcome[]>;
  /** Stops listening and forwarding; pending deliveries stay in the queue for the next start. */
  close(): Promise<void>;
}

/** `{platform}/webhooks/bitbucket-dc/{platform installation id}` */
export function platformTargetUrl(platformBaseUrl: string, platformInstallationId: string): string {
  return `${platformBaseUrl.replace(/\/+$/, '')}${WEBHOOK_PATH_PREFIX}${encodeURIComponent(platformInstallationId)}`;
}

/**
 * Starts the relay: the listener BDC posts to and the forwarder that drains the durable queue to
 * the platform. Used by `relay run` and by the desktop app's main process. Whatever was pending
 * when the previous run stopped (or crashed) is forwarded first.
 */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const { installation } = options;
  const store = deliveryStore(options.database);
  const commits = new GroupCommit(options.database);
  const events = new RelayEvents();
  const secrets = new SecretCache(options.loadSecrets);
  await secrets.refresh();
  if (secrets.current.length === 0) {
    throw new CompanionError(
      'WEBHOOK_SECRET_MISSING',
      'No webhook secret is stored for this installation, so no delivery could be verified.',
    );
  }
  const targetUrl = platformTargetUrl(
    installation.platformBaseUrl,
    installation.platformInstallationId,
  );
  const forwarder = new Forwarder({
    store,
    commits,
    installationId: installation.id,
    targetUrl,
    transport: options.transport,
    events,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.attemptTimeoutMs === undefined
      ? {}
      : { attemptTimeoutMs: options.attemptTimeoutMs }),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    now,
    ...(options.random === undefined ? {} : { random: options.random }),
    logger,
  });
  const intake = options.intakeBudget ?? DEFAULT_INTAKE_BUDGET;
  const handler = createWebhookHandler({
    installation: {
      installationId: installation.id,
      platformInstallationId: installation.platformInstallationId,
      allowedEvents: installation.allowedEvents ?? ['repo:refs_changed'],
      secrets,
    },
    store,
    commits,
    events,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    budget: new IntakeBudget(intake.sharedBytes, intake.smallReserveBytes, intake.smallBodyBytes),
    ...(options.bodyIdleTimeoutMs === undefined
      ? {}
      : { bodyIdleTimeoutMs: options.bodyIdleTimeoutMs }),
    onStored: () => forwarder.nudge(),
    expedite: (delivery, stored) => forwarder.expedite(delivery, stored),
    now,
    logger,
    ...(options.admitRefsChanged ? { admitRefsChanged: options.admitRefsChanged } : {}),
  });
  let server: Server;
  try {
    server = options.tls
      ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
      : createHttpServer(handler);
  } catch (error) {
    throw new CompanionError('RELAY_TLS_INVALID', 'The relay certificate or key is not usable.', {
      cause: error,
      data: { reason: error instanceof Error ? error.message : String(error) },
    });
  }
  // Anyone who can reach the port can connect: sockets are capped before a request is parsed,
  // and slow or stalled clients are cut off (headers in 10 s, a whole request in 30 s, a body
  // that stops arriving in 10 s) — docs/security.md, "Relay listener".
  limitConnections(server, options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new CompanionError(
          'RELAY_LISTEN_FAILED',
          `The relay cannot listen on ${formatListenAddress(options.listen)}: ${error.code ?? error.message}.`,
          {
            cause: error,
            data: { listen: formatListenAddress(options.listen), reason: error.code },
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const listen = { host: options.listen.host, port: bound.port };
  const scheme = options.tls ? 'https' : 'http';
  const url = `${scheme}://${formatListenAddress(listen)}`;
  const webhookUrl = `${url}${WEBHOOK_PATH_PREFIX}${encodeURIComponent(installation.platformInstallationId)}`;

  const retentionMs = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 24 * 60 * 60_000;
  const prune = (): void => {
    commits
      .run(() => store.pruneDelivered(installation.id, now() - retentionMs))
      .then((pruned) => {
        if (pruned > 0) logger.info('relay pruned delivered deliveries', { pruned });
      })
      .catch((error: unknown) => logger.warn('relay pruning failed', { error: String(error) }));
  };
  prune();
  const pruneTimer = setInterval(prune, 60 * 60_000);
  pruneTimer.unref();
  const secretTimer = setInterval(() => {
    secrets.refresh().catch((error: unknown) => {
      logger.warn('relay could not re-read the webhook secret', { error: String(error) });
    });
  }, options.secretRefreshMs ?? 60_000);
  secretTimer.unref();

  forwarder.start();
  let heartbeat: RelayHeartbeat | undefined;
  try {
    heartbeat = startRelayHeartbeat(
      options.database,
      commits,
      { installationId: installation.id, url },
      {
        now,
        logger,
        ...(options.heartbeatMs === undefined ? {} : { intervalMs: options.heartbeatMs }),
      },
    );
  } catch (error) {
    // Bookkeeping for `relay status` must not stop a relay that already listens and forwards.
    logger.warn('relay heartbeat could not start', { error: String(error) });
  }
  logger.info('relay listening', { url: webhookUrl, target: targetUrl });
  events.emit({ kind: 'listening', url: webhookUrl });

  let closing: Promise<void> | undefined;
  return {
    url,
    webhookUrl,
    listen,
    targetUrl,
    status: () => deliveryQueries(options.database).status(installation.id, now()),
    subscribe: (listener: (event: RelayEvent) => void) => events.subscribe(listener),
    async enqueue(work) {
      const outcomes = await commits.run(() => {
        const deliveries = work();
        return deliveries.length === 0 ? [] : store.insertMany(deliveries);
      });
      if (outcomes.length > 0) forwarder.nudge();
      for (const outcome of outcomes) {
        if (outcome.kind === 'stored')
          events.emit({ kind: 'received', delivery: outcome.delivery });
      }
      return outcomes;
    },
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        clearInterval(secretTimer);
        await new Promise<void>((resolve) => {
          // A client holding a request open must not keep the relay from stopping.
          const force = setTimeout(() => server.closeAllConnections(), 5_000);
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
        await forwarder.stop();
        await heartbeat?.stop().catch(() => undefined);
        // Writes already queued (acknowledged or not) are committed before the caller closes
        // the database.
        await commits.run(() => undefined);
        events.emit({ kind: 'stopped' });
      })();
      return closing;
    },
  };
}
