import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation, PlatformLink } from '../../common/models/installation.js';
import { createDispatcher } from '../net/network-factory.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { createHttpTransport } from './forward-transport.js';
import { parseListenAddress } from './listen-address.js';
import { loadRelayTls } from './relay-tls.js';
import { startRelay, type RunningRelay, type StartRelayOptions } from './relay.js';
import { loadWebhookSecrets } from './webhook-secrets.js';
import type { RunningWatcher } from '../watch/ref-watcher.js';
import {
  startInstallationWatch,
  watchAdmission,
  type InstallationWatchOptions,
} from '../watch/installation-watch.js';

/** The platform side of an installation; the relay cannot run without it. */
export function requirePlatform(installation: Installation): PlatformLink {
  if (installation.platform === undefined) {
    throw new CompanionError(
      'RELAY_NOT_CONFIGURED',
      `Installation "${installation.name}" has no platform URL and installation id.`,
    );
  }
  return installation.platform;
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
  /** Watch-mode overrides (settings source, test interval); the watch runs when it is set up. */
  readonly watch?: Pick<
    InstallationWatchOptions,
    'settings' | 'intervalMs' | 'maxRepositoriesPerRound'
  >;
};

export interface RunningInstallationRelay extends RunningRelay {
  /** The installation's watch (`relay watch`), when it has one. */
  readonly watch: RunningWatcher | undefined;
}

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
  const admitRefsChanged = watchAdmission(installation, options.database);
  // Read at every start, so a renewed certificate takes effect with a restart.
  const served = tls ?? (installation.relay.tls ? loadRelayTls(installation.relay.tls) : undefined);
  const dispatcher = createDispatcher({ addressPolicy: 'none', caPems: platform.caPems, env });
  const closeDispatcher = (): Promise<void> => dispatcher.close().catch(() => undefined);
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
      transport: createHttpTransport(dispatcher),
      listen: listen ?? parseListenAddress(installation.relay.listen),
      ...(served ? { tls: served } : {}),
      ...(admitRefsChanged ? { admitRefsChanged } : {}),
    });
  } catch (error) {
    await closeDispatcher();
    throw error;
  }
  let watch: RunningWatcher | undefined;
  if (installation.relay.watch !== undefined) {
    try {
      watch = await startInstallationWatch(installation, relay, {
        database: options.database,
        secrets,
        env,
        ...watchOptions,
        ...(rest.logger ? { logger: rest.logger } : {}),
      });
    } catch (error) {
      await relay.close();
      await closeDispatcher();
      throw error;
    }
  }
  return {
    ...relay,
    watch,
    async close() {
      await watch?.stop();
      await relay.close();
      await closeDispatcher();
    },
  };
}
