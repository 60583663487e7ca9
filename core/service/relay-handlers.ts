import type { Database } from 'better-sqlite3';
import type {
  DeliveryQuery,
  InstallationRef,
  WatchConfigRequest,
  RelayEndpoint,
  RelayStatus,
  ReplayRequest,
} from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import type { RelayEvent } from '../../common/models/relay.js';
import { formatListenAddress } from '../relay/listen-address.js';
import type { RunningInstallationRelay } from '../relay/installation-relay.js';
import { configureWatch } from '../use-cases/configure-watch.js';
import { runRelay } from '../use-cases/run-relay.js';
import { WEBHOOK_PATH_PREFIX } from '../relay/webhook-listener.js';
import {
  listRelayDeliveries,
  readRelayOverview,
  replayRelayDeliveries,
} from '../use-cases/relay-queue.js';
import { relayUrlWarnings } from '../webhooks/relay-url-warnings.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/** Test ports of the service's relays (the watch's round interval, the settings check). */
export interface RelayServiceTuning {
  readonly watch?: { readonly intervalMs?: number; readonly checkMs?: number };
}

/** The URL BDC calls: the admin's public relay URL, else the listen address itself. */
export function relayCallbackUrl(
  installation: Installation,
  boundListen?: string,
): string | undefined {
  const platformId = installation.platform?.installationId;
  if (!platformId) return undefined;
  const scheme = installation.relay.tls ? 'https' : 'http';
  const base =
    installation.relay.publicUrl ?? `${scheme}://${boundListen ?? installation.relay.listen}`;
  return `${base.replace(/\/+$/, '')}${WEBHOOK_PATH_PREFIX}${encodeURIComponent(platformId)}`;
}

export interface RelayHandlers {
  readonly handlers: OperationHandlers;

  /** Starts the relays of installations that have it enabled (the desktop and `serve` do). */
  startEnabled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The relay, run inside the UI's process when enabled, and its queue as the relay view sees it.
 * Status and deliveries are read from the shared database, so a relay run by the daemon
 * (`relay run`) shows up too.
 */
export function relayHandlers(
  ports: ServicePorts,
  database: Database,
  tuning: RelayServiceTuning = {},
): RelayHandlers {
  const running = new Map<string, { relay: RunningInstallationRelay; unsubscribe: () => void }>();
  const { settings, secretStore, events, logger } = ports;
  const queue = { settings, database, now: () => ports.now().getTime() };

  function overview(installation: Installation): RelayStatus {
    const current = running.get(installation.id);
    const { status, liveness, mode, watch } = readRelayOverview(queue, {
      installation: installation.id,
    });
    return {
      ...status,
      running: current !== undefined,
      listen: current ? formatListenAddress(current.relay.listen) : undefined,
      liveness,
      mode,
      watch: { ...watch, running: current?.relay.watch !== undefined },
    };
  }

  function onRelayEvent(installation: Installation, event: RelayEvent): void {
    switch (event.kind) {
      case 'received':
        events.emit({ kind: 'delivery', delivery: { ...event.delivery, attemptLog: [] } });
        break;
      case 'listening':
      case 'duplicate':
      case 'ping':
      case 'rejected':
      case 'dropped':
      case 'attempt':
      case 'delivered':
      case 'dead':
      case 'stopped':
        break;
      default: {
        const never: never = event;
        return never;
      }
    }
    events.emit({ kind: 'relay-status', status: overview(installation) });
  }

  async function start(installation: Installation): Promise<RelayStatus> {
    if (running.has(installation.id)) return overview(installation);
    // What to watch is read from the settings as they are now, so the relay view's (and the
    // CLI's) changes apply to this running relay without a restart.
    const relay = await runRelay(
      {
        settings,
        secretStore,
        database,
        env: ports.env,
        logger: logger.child({ component: 'relay', installation: installation.name }),
      },
      { installation: installation.id, ...(tuning.watch ? { watch: tuning.watch } : {}) },
    );
    const unsubscribe = relay.subscribe((event) => onRelayEvent(installation, event));
    running.set(installation.id, { relay, unsubscribe });
    const status = overview(installation);
    events.emit({ kind: 'relay-status', status });
    return status;
  }

  async function stop(installation: Installation): Promise<RelayStatus> {
    const current = running.get(installation.id);
    if (current) {
      running.delete(installation.id);
      current.unsubscribe();
      await current.relay.close();
    }
    const status = overview(installation);
    events.emit({ kind: 'relay-status', status });
    return status;
  }

  const handlers: OperationHandlers = {
    async getRelayStatus(request: InstallationRef) {
      return overview(settings.requireInstallation(request.installation));
    },
    async getRelayEndpoint(request: InstallationRef): Promise<RelayEndpoint> {
      const installation = settings.requireInstallation(request.installation);
      const secret = await secretStore.get({
        installationId: installation.id,
        kind: 'webhook-secret',
      });
      const current = running.get(installation.id);
      const bound = current ? formatListenAddress(current.relay.listen) : undefined;
      const callbackUrl = relayCallbackUrl(installation, bound);
      return {
        listen: bound ?? installation.relay.listen,
        callbackUrl,
        secretConfigured: secret !== undefined && secret !== '',
        warnings: callbackUrl === undefined ? [] : relayUrlWarnings(installation, callbackUrl),
      };
    },
    async startRelay(request: InstallationRef) {
      return start(settings.requireInstallation(request.installation));
    },
    async stopRelay(request: InstallationRef) {
      return stop(settings.requireInstallation(request.installation));
    },
    async configureWatch(request: WatchConfigRequest) {
      const updated = configureWatch(
        settings,
        request.installation,
        request.off === true
          ? { kind: 'off' }
          : {
              kind: 'on',
              repositories: request.repositories ?? [],
              projects: request.projects ?? [],
              ...(request.intervalSeconds === undefined
                ? {}
                : { intervalSeconds: request.intervalSeconds }),
            },
      );
      await running.get(updated.id)?.relay.applyWatchSettings();
      events.emit({ kind: 'installations-changed' });
      const status = overview(updated);
      events.emit({ kind: 'relay-status', status });
      return status;
    },
    async listDeliveries(request: DeliveryQuery) {
      return listRelayDeliveries(queue, {
        installation: request.installation,
        ...(request.state ? { state: request.state } : {}),
        ...(request.limit === undefined ? {} : { limit: request.limit }),
      });
    },
    async replayDeliveries(request: ReplayRequest) {
      const installation = settings.requireInstallation(request.installation);
      const replayed = replayRelayDeliveries(queue, {
        installation: installation.id,
        ...(request.ids === undefined ? {} : { ids: request.ids }),
        ...(request.dead === true ? { dead: true } : {}),
      });
      events.emit({ kind: 'relay-status', status: overview(installation) });
      return { replayed: replayed.length };
    },
  };

  return {
    handlers,
    async startEnabled() {
      for (const installation of settings.listInstallations()) {
        if (!installation.relay.enabled || !installation.platform) continue;
        try {
          await start(installation);
        } catch (error) {
          logger.warn('relay did not start', {
            installation: installation.name,
            error: String(error),
          });
        }
      }
    },
    async close() {
      const all = [...running.values()];
      running.clear();
      for (const current of all) {
        current.unsubscribe();
        await current.relay.close();
      }
    },
  };
}
