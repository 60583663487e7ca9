import type { Database } from 'better-sqlite3';
import type { Logger } from '../logging/logger.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';
import { BdcWebhooks } from '../webhooks/bdc-webhooks.js';
import type { WebhookSecretPorts } from '../webhooks/change-webhook-secret.js';
import { openSignedInClient } from './open-signed-in-client.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

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

/**
 * What changing the webhook secret needs, from the webhook ports: the store, the registrations,
 * and the signed-in client (core/use-cases/open-signed-in-client.ts), opened only when there are
 * webhooks to switch.
 */
export async function webhookSecretPortsOf(ports: WebhookPorts): Promise<WebhookSecretPorts> {
  const secretStore = await secretStoreOf(ports.secretStore);
  return {
    secretStore,
    database: ports.database,
    openWebhooks: async (installation) => {
      const signedIn = await openSignedInClient(
        { secretStore, env: ports.env, ...(ports.logger ? { logger: ports.logger } : {}) },
        installation,
      );
      return { webhooks: new BdcWebhooks(signedIn.client), close: () => signedIn.close() };
    },
  };
}
