import type { Database } from 'better-sqlite3';
import type { Logger } from '../logging/logger.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';
import type { SecretStorePort } from './secret-store-port.js';

/**
 * What the webhook use cases need: the installation and its secrets, the database where the
 * registrations and the relay's reach evidence live, and the network environment for BDC.
 */
export interface WebhookPorts {
  readonly settings: SettingsStore;
  readonly secretStore: SecretStorePort;
  readonly database: Database;
  readonly env: Environment;
  readonly logger?: Logger;
}

/** `PROJECT/slug` and `KEY` → a webhook target, for adapters that take targets as text. */
export { parseProjectTarget, parseRepositoryTarget } from '../webhooks/webhook-target.js';
