import type { Transport } from '../../common/api/models.js';
import { toErrorShape } from '../../common/errors/companion-error.js';
import type { Logger } from '../logging/logger.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { pinnedSecretStore } from '../secrets/pinned-secret-store.js';
import { activeNetworkRouting, installNetworkRouting } from '../net/active-routing.js';
import { openNetworkRouting } from '../net/open-network-routing.js';
import { openSettingsWithRecovery, type SettingsStoreFactory } from '../settings/settings-file.js';
import { openDatabase } from '../storage/database.js';
import {
  createCompanionService,
  type CompanionService,
  type OperationHandlers,
} from './companion-service.js';
import { diagnosticsHandlers } from './diagnostics-handlers.js';
import { EventHub } from './event-hub.js';
import { authHandlers } from './auth-handlers.js';
import { installationHandlers } from './installation-handlers.js';
import { oauthHandlers } from './oauth-handlers.js';
import { probeHandlers } from './probe-handlers.js';
import { pushHandlers } from './push-handlers.js';
import { bridgeHandlers, type BridgeServiceOptions } from './bridge-handlers.js';
import { relayHandlers, type RelayServiceTuning } from './relay-handlers.js';
import { settingsHandlers } from './settings-handlers.js';
import { networkHandlers } from './network-handlers.js';
import { webhookHandlers } from './webhook-handlers.js';
import type { ServicePorts } from './service-ports.js';

export interface OpenServiceOptions {
  readonly home: string;
  readonly transport: Transport;
  readonly logger: Logger;
  readonly secretStore: SecretStore;
  readonly openBrowser?: (url: string) => Promise<void>;
  readonly oauthRedirect: 'custom' | 'localhost';
  /** The loopback port of the `localhost` OAuth redirect (47615 by default, as registered in BDC). */
  readonly oauthPort?: number;
  readonly now?: () => Date;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Start the relays of installations that have it enabled, and the bridges of installations
   * with a bridge token (default true).
   */
  readonly startRelays?: boolean;
  /** Test ports: the watch's round interval and settings check, the bridge's backoff. */
  readonly tuning?: {
    readonly relay?: RelayServiceTuning;
    readonly bridge?: BridgeServiceOptions['tuning'];
  };
  /**
   * The system's proxy answer per URL in PAC form (the desktop passes Electron's
   * `session.resolveProxy`); absent headless.
   */
  readonly systemProxy?: (url: string) => Promise<string>;
  /** Opens the settings file's store (the desktop passes electron-store; conf by default). */
  readonly createSettingsStore?: SettingsStoreFactory;
}

/**
 * The one place where the engine's capabilities are wired into the facade, for both composition
 * roots (Electron main and `serve`). Each capability contributes its handler set.
 */
export async function openCompanionService(options: OpenServiceOptions): Promise<CompanionService> {
  // A corrupt settings file is moved aside and reported in a banner (AppInfo.settingsRecovered)
  // rather than stopping the desktop or the daemon; a file from a newer companion still fails.
  const { settings, recovered } = openSettingsWithRecovery(
    options.home,
    options.createSettingsStore === undefined ? {} : { createStore: options.createSettingsStore },
  );
  if (recovered) {
    options.logger.warn('settings file was corrupt and moved aside', {
      preservedAs: recovered.data?.['preservedAs'],
    });
  }
  const secretStore = pinnedSecretStore(settings, options.secretStore, {
    home: options.home,
    env: options.env,
  });
  // Every connection of this process takes the route the Network section shows.
  const routing = openNetworkRouting({
    settings: () => settings.networkSettings?.(),
    secretStore: async () => secretStore,
    env: options.env,
    ...(options.systemProxy === undefined ? {} : { system: options.systemProxy }),
  });
  installNetworkRouting(routing);
  const ports: ServicePorts = {
    home: options.home,
    transport: options.transport,
    now: options.now ?? (() => new Date()),
    env: options.env,
    logger: options.logger,
    // The store the shell opened must be the one this home's secrets are in; writes pin it.
    secretStore,
    settings,
    events: new EventHub(),
    openBrowser: options.openBrowser,
    oauthRedirect: options.oauthRedirect,
    routing,
    systemProxy: options.systemProxy !== undefined,
  };
  const database = openDatabase(options.home);
  const relay = relayHandlers(ports, database, options.tuning?.relay);
  const push = pushHandlers(ports, database);
  const background = options.startRelays ?? true;
  const bridge = bridgeHandlers(ports, database, {
    engine: () => push.engine(),
    run: background,
    ...(options.tuning?.bridge === undefined ? {} : { tuning: options.tuning.bridge }),
  });
  const oauth = oauthHandlers(
    ports,
    options.oauthPort === undefined ? {} : { port: options.oauthPort },
  );
  const handlers: OperationHandlers = {
    ...installationHandlers(ports),
    ...probeHandlers(ports),
    ...authHandlers(ports),
    ...oauth.handlers,
    ...push.handlers,
    ...relay.handlers,
    ...webhookHandlers(ports, database),
    ...bridge.handlers,
    ...settingsHandlers(ports, () => push.reconfigure()),
    ...networkHandlers(ports),
    ...diagnosticsHandlers(ports),
  };
  const service = createCompanionService(ports, {
    handlers,
    closers: [
      () => oauth.close(),
      () => relay.close(),
      // Before the engine: a bridged push in flight finishes (or is cancelled) first.
      () => bridge.close(),
      () => push.close(),
      () => void database.close(),
      () => {
        if (activeNetworkRouting() === routing) installNetworkRouting(undefined);
      },
    ],
    deliverOAuthCallback: (url) => oauth.deliver(url),
    settingsRecovered: recovered ? toErrorShape(recovered) : undefined,
  });
  if (background) {
    await relay.startEnabled();
    await bridge.startConfigured();
  }
  return service;
}
