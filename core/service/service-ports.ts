import type { Transport } from '../../common/api/models.js';
import type { Logger } from '../logging/logger.js';
import type { NetworkRouting } from '../net/network-routing.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { EventHub } from './event-hub.js';

/**
 * What the facade needs from its host (Electron main or the `serve` CLI command). Passed in, so
 * tests run the real service on temp folders and the desktop adds only its own adapters.
 */
export interface ServicePorts {
  /** The config home: settings file, database, logs. */
  readonly home: string;
  readonly transport: Transport;
  readonly now: () => Date;
  /** Where proxy variables and secret-store choices are read (`process.env` in production). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly secretStore: SecretStore;
  readonly settings: SettingsStore;
  readonly events: EventHub;
  /**
   * Opens a URL the engine built (the OAuth authorize URL) in the system browser. Absent when
   * the UI runs in a browser that may be on another machine (`serve`): the UI shows a link then.
   */
  readonly openBrowser: ((url: string) => Promise<void>) | undefined;
  /** Where OAuth callbacks arrive: the custom scheme on desktop, a loopback port headless. */
  readonly oauthRedirect: 'custom' | 'localhost';
  /** The routing every connection of this process takes (installed by `openCompanionService`). */
  readonly routing: NetworkRouting;
  /** Whether the system's proxy settings are consulted (the desktop: Electron's resolver). */
  readonly systemProxy: boolean;
}
