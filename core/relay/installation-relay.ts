import type { Installation, PlatformLink } from '../../common/models/installation.js';
import { requirePlatformLink } from '../settings/require-platform-link.js';
import type { Dispatcher } from 'undici';
import type { SecretStore } from '../secrets/secret-store.js';
import { createHttpTransport } from './forward-transport.js';
import { parseListenAddress } from './listen-address.js';
import { loadRelayTls } from './relay-tls.js';
import { startRelay, type RunningRelay, type StartRelayOptions } from './relay.js';
import { loadWebhookSecrets } from './webhook-secrets.js';
import type { RunningWatcher } from '../watch/ref-watcher.js';
import type { InstallationWatchOptions } from '../watch/installation-watch.js';
import { webhookAdmission } from '../watch/webhook-admission.js';
import { dedupWindowMs, WatchStore } from '../watch/watch-store.js';
import type { WatchSettings } from '../../common/models/watch.js';

/** The platform side of an installation; the relay cannot run without it. */
export function requirePlatform(installation: Installation): PlatformLink {
  return requirePlatformLink(installation, 'RELAY_NOT_CONFIGURED');
}

export type InstallationRelayOptions = Omit<
  StartRelayOptions,
  'installation' | 'loadSecrets' | 'transport' | 'listen'
> & {
  readonly secrets: SecretStore;
  /** Where proxy variables are read for the forwarder. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Overrides the installation's listen setting (`relay run --listen`). */
  readonly listen?: StartRelayOptions['listen'];
  /** Overrides the installation's TLS files (`relay run --tls-cert/--tls-key`). */
  readonly tls?: StartRelayOptions['tls'];
  /**
   * Watch-mode overrides (settings source, test interval); the watch runs while the settings
   * have one. `checkMs`: how often the settings are looked at to start or stop the watch.
   */
  readonly watch?: Pick<
    InstallationWatchOptions,
    'settings' | 'intervalMs' | 'maxRepositoriesPerRound'
  > & { readonly checkMs?: number };
};

export interface RunningInstallationRelay extends RunningRelay {
  /** The installation's watch (`relay watch`) while it has one. */
  readonly watch: RunningWatcher | undefined;
  /**
   * Starts or stops the watch to match the settings now: watch mode turned on or off while the
   * relay runs applies without a restart. Changes of list and interval need nothing: the
   * running watch re-reads them at each round.
   */
  applyWatchSettings(): Promise<void>;
}

/** How often a running relay looks at its watch settings when its host names no other period. */
export const WATCH_SETTINGS_CHECK_MS = 5_000;

/**
 * Starts the relay of one installation as both the daemon (`relay run`) and the desktop/serve
 * service run it: forwarding through the network factory to the platform (public roots plus the
 * platform CA, no instance address policy), secrets from the store, the installation's settings.
 * Closing the relay also closes its forwarding connections.
 */
export async function startInstallationRelay(
  installation: Installation,
  options: InstallationRelayOptions,
): Promise<RunningInstallationRelay> {
  const platform = requirePlatform(installation);
  const { secrets, env, listen, tls, watch: watchOptions, ...rest } = options;
  const { checkMs, settings: watchSettingsOption, ...watchTuning } = watchOptions ?? {};
  const watchSettings = watchSettingsOption ?? (() => installation.relay.watch);
  let currentWatch = readWatchSettings(watchSettings, installation.relay.watch);
  // Decided per delivery from the settings in force, so a watch turned on later still sends a
  // change seen by both sides once (docs/watch-mode.md, "Both at once").
  let watchStore: WatchStore | undefined;
  const admitRefsChanged = (repository: string, body: Buffer, at: number): boolean => {
    if (currentWatch === undefined) return true;
    watchStore ??= new WatchStore(options.database);
    return webhookAdmission(
      watchStore,
      installation.id,
      dedupWindowMs(currentWatch.intervalSeconds),
    )(repository, body, at);
  };
  // Read at every start, so a renewed certificate takes effect with a restart.
  const served = tls ?? (installation.relay.tls ? loadRelayTls(installation.relay.tls) : undefined);
  // Made on the first delivery, not at start: an idle relay then holds no HTTP client, TLS
  // context or parser (about 12 MiB of its resident memory, bench/RESULTS.md "idle daemon").
  // One that could not be made fails that delivery's attempt (recorded, retried) and is tried
  // again for the next, rather than failing every forward for the relay's life.
  let dispatcher: Promise<Dispatcher> | undefined;
  const forwardingDispatcher = (): Promise<Dispatcher> => {
    dispatcher ??= import('../net/network-factory.js')
      .then(({ createDispatcher }) =>
        createDispatcher({ addressPolicy: 'none', caPems: platform.caPems, env }),
      )
      .catch((error: unknown) => {
        dispatcher = undefined;
        throw error;
      });
    return dispatcher;
  };
  const closeDispatcher = async (): Promise<void> => {
    await dispatcher?.then((made) => made.close()).catch(() => undefined);
  };
  let relay: RunningRelay;
  try {
    relay = await startRelay({
      ...rest,
      installation: {
        id: installation.id,
        platformBaseUrl: platform.baseUrl,
        platformInstallationId: platform.installationId,
        allowedEvents: installation.relay.allowedEvents,
      },
      loadSecrets: () => loadWebhookSecrets(secrets, installation.id),
      transport: createHttpTransport(forwardingDispatcher),
      listen: listen ?? parseListenAddress(installation.relay.listen),
      ...(served ? { tls: served } : {}),
      admitRefsChanged,
    });
  } catch (error) {
    await closeDispatcher();
    throw error;
  }

  let watch: RunningWatcher | undefined;
  let closed = false;
  // Loaded when watch mode is on: it signs in to BDC (the HTTP client), which a relay that only
  // receives webhooks never needs while idle.
  const startWatch = async (): Promise<RunningWatcher> =>
    (await import('../watch/installation-watch.js')).startInstallationWatch(installation, relay, {
      database: options.database,
      secrets,
      env,
      settings: () => {
        currentWatch = readWatchSettings(watchSettings, currentWatch);
        return currentWatch;
      },
      ...watchTuning,
      ...(rest.logger ? { logger: rest.logger } : {}),
    });
  // One change at a time: a check and an explicit apply never start two watches.
  let applying: Promise<void> = Promise.resolve();
  const applyWatchSettings = (): Promise<void> => {
    applying = applying.then(async () => {
      if (closed) return;
      currentWatch = readWatchSettings(watchSettings, currentWatch);
      if (currentWatch !== undefined && watch === undefined) {
        watch = await startWatch();
      } else if (currentWatch === undefined && watch !== undefined) {
        const stopping = watch;
        watch = undefined;
        await stopping.stop();
      }
    });
    return applying;
  };

  if (currentWatch !== undefined) {
    try {
      watch = await startWatch();
    } catch (error) {
      await relay.close();
      await closeDispatcher();
      throw error;
    }
  }
  const checker = setInterval(() => {
    applyWatchSettings().catch((error: unknown) =>
      rest.logger?.warn('watch mode could not start', { error: String(error) }),
    );
  }, checkMs ?? WATCH_SETTINGS_CHECK_MS);
  checker.unref();
  return {
    ...relay,
    get watch() {
      return watch;
    },
    applyWatchSettings,
    async close() {
      closed = true;
      clearInterval(checker);
      await applying.catch(() => undefined);
      await watch?.stop();
      watch = undefined;
      await relay.close();
      await closeDispatcher();
    },
  };
}

/** The watch settings now; a settings file being rewritten keeps what was read before. */
function readWatchSettings(
  read: () => WatchSettings | undefined,
  previous: WatchSettings | undefined,
): WatchSettings | undefined {
  try {
    return read();
  } catch {
    return previous;
  }
}
