import { hostname } from 'node:os';
import type { Database } from 'better-sqlite3';
import type { BridgeOverview } from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import { bridgeLiveness } from '../bridge/bridge-heartbeat.js';
import { effectivePolicy } from '../bridge/bridge-settings.js';
import {
  bridgeTokenKey,
  type InstallationBridgeOptions,
  type RunningBridge,
} from '../bridge/installation-bridge.js';
import type { PushService } from '../git/push-service.js';
import { readBridgeLiveness } from '../use-cases/bridge-liveness.js';
import { runBridge } from '../use-cases/run-bridge.js';
import { changeBridgePolicy } from '../use-cases/bridge-policy.js';
import { storeBridgeToken } from '../use-cases/store-bridge-token.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

export interface BridgeHandlers {
  readonly handlers: OperationHandlers;
  /** Starts the bridge of every installation that has a platform link and a bridge token. */
  startConfigured(): Promise<void>;
  close(): Promise<void>;
}

export interface BridgeServiceOptions {
  /** The service's push engine as it is now (it is rebuilt when the cache settings change). */
  readonly engine: () => PushService;
  /** Whether this service runs bridges at all (false: it only shows and edits; tests). */
  readonly run: boolean;
  /** Test ports: reconnect backoff, token polling. */
  readonly tuning?: InstallationBridgeOptions['tuning'];
}

/** The parts of an installation a running bridge was started with; a change restarts it. */
function bridgeIdentity(installation: Installation): string {
  return JSON.stringify([installation.baseUrl, installation.caPems, installation.platform]);
}

/**
 * The platform bridge inside the desktop app and `serve` (docs/bridge.md): each installation with
 * a platform link and a stored bridge token gets its bridge while the service runs — the same
 * `runBridge` use case the daemon (`run`, `bridge run`) uses. A bridge another process already
 * runs for the installation is left to it (two would fight over one platform connection).
 * The Bridge view edits the same policy and token the CLI does.
 */
export function bridgeHandlers(
  ports: ServicePorts,
  database: Database,
  options: BridgeServiceOptions,
): BridgeHandlers {
  const { settings, secretStore, events, logger } = ports;
  const running = new Map<string, { bridge: RunningBridge; identity: string }>();
  let closed = false;

  // Every call goes to the engine in force at that moment, never to one already closed.
  const engine: PushService = {
    push: (...args) => options.engine().push(...args),
    history: (query) => options.engine().history(query),
    get cache() {
      return options.engine().cache;
    },
    close: async () => undefined,
  };

  function runElsewhere(installation: Installation): boolean {
    const liveness = bridgeLiveness(database, installation.id, ports.now().getTime());
    const host = hostname();
    return liveness.running.some((run) => run.pid !== process.pid || run.host !== host);
  }

  async function start(installation: Installation): Promise<void> {
    if (!options.run || closed || running.has(installation.id)) return;
    if (installation.platform === undefined) return;
    if ((await secretStore.get(bridgeTokenKey(installation.id))) === undefined) return;
    if (runElsewhere(installation)) {
      logger.info('bridge left to the process that runs it', { installation: installation.name });
      return;
    }
    const bridge = runBridge(
      {
        settings,
        secretStore,
        database,
        engine,
        env: ports.env,
        logger: logger.child({ installation: installation.name }),
      },
      {
        installation: installation.id,
        onState: (status) =>
          events.emit({ kind: 'bridge-status', installationId: installation.id, status }),
        ...(options.tuning === undefined ? {} : { tuning: options.tuning }),
      },
    );
    running.set(installation.id, { bridge, identity: bridgeIdentity(installation) });
  }

  async function stop(installationId: string): Promise<void> {
    const current = running.get(installationId);
    if (current === undefined) return;
    running.delete(installationId);
    await current.bridge.stop();
  }

  // Installations removed or re-pointed (another platform, another BDC URL or CA) while the
  // service runs: their bridge stops, or restarts with the new link.
  async function reconcile(): Promise<void> {
    const installations = new Map(
      settings.listInstallations().map((installation) => [installation.id, installation]),
    );
    for (const [id, current] of [...running]) {
      const installation = installations.get(id);
      if (installation === undefined || bridgeIdentity(installation) !== current.identity) {
        await stop(id);
      }
    }
    for (const installation of installations.values()) await start(installation);
  }
  let reconciling: Promise<void> = Promise.resolve();
  const unsubscribe = events.subscribe((event) => {
    if (event.kind !== 'installations-changed') return;
    reconciling = reconciling
      .then(reconcile)
      .catch((error: unknown) => logger.warn('bridge update failed', { error: String(error) }));
  });

  const handlers: OperationHandlers = {
    async getBridgeStatus(request) {
      const { installation, liveness } = readBridgeLiveness(
        { settings, database, now: () => ports.now().getTime() },
        request,
      );
      const local = running.get(installation.id)?.bridge;
      const run = liveness.running[0] ?? liveness.lastRun;
      const recorded = run?.status.state === undefined ? undefined : run.status;
      const overview: BridgeOverview = {
        running: local !== undefined || liveness.running.length > 0,
        // The bridge of this process answers first hand; another process's from its heartbeat.
        status: local?.status() ?? recorded,
        lastBeatAt: run?.lastBeatAt,
        tokenConfigured: (await secretStore.get(bridgeTokenKey(installation.id))) !== undefined,
        policy: effectivePolicy(installation.bridge),
      };
      return overview;
    },
    async updateBridgePolicy(request) {
      return changeBridgePolicy(
        { settings, logger },
        {
          installation: request.installation,
          edit: {
            allowPush: request.allowPush ?? [],
            denyPush: request.denyPush ?? [],
            readProjects: request.readProjects ?? [],
            clearReadProjects: request.allProjects === true,
          },
        },
      );
    },
    async setBridgeToken(request) {
      await storeBridgeToken(
        { settings, secretStore, logger },
        { installation: request.installation, token: request.token },
      );
      // A bridge waiting on a refused token tries the new one now; an installation that had
      // none gets its bridge now.
      const installation = settings.requireInstallation(request.installation);
      running.get(installation.id)?.bridge.tokenChanged();
      await start(installation);
    },
  };

  return {
    handlers,
    async startConfigured() {
      for (const installation of settings.listInstallations()) {
        try {
          await start(installation);
        } catch (error) {
          logger.warn('bridge did not start', {
            installation: installation.name,
            error: String(error),
          });
        }
      }
    },
    async close() {
      closed = true;
      unsubscribe();
      await reconciling;
      for (const id of [...running.keys()]) await stop(id);
    },
  };
}
