import { BdcWebhooks } from '../webhooks/bdc-webhooks.js';
import { unregisterWebhooks, type UnregisteredWebhook } from '../webhooks/unregister-webhooks.js';
import type { WebhookTarget } from '../webhooks/webhook-target.js';
import { withSignedInClient } from './open-signed-in-client.js';
import type { WebhookPorts } from './webhook-ports.js';

/**
 * Deletes the "Ankra" webhooks on these targets (or on every registered one) from BDC and forgets
 * them (`webhooks unregister`, the way back from a relay URL BDC cannot reach in the wizard).
 */
export async function unregisterInstallationWebhooks(
  ports: WebhookPorts,
  input: {
    readonly installation: string;
    readonly targets: readonly WebhookTarget[] | 'all';
  },
): Promise<UnregisteredWebhook[]> {
  const installation = ports.settings.requireInstallation(input.installation);
  const removed = await withSignedInClient(ports, installation, ({ client }) =>
    unregisterWebhooks(
      {
        webhooks: new BdcWebhooks(client),
        database: ports.database,
        installationId: installation.id,
      },
      input.targets,
    ),
  );
  ports.logger?.info('webhooks unregistered', {
    installation: installation.name,
    removed: removed.length,
  });
  return removed;
}
