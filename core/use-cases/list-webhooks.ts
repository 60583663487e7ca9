import { BdcWebhooks } from '../webhooks/bdc-webhooks.js';
import { listWebhooks, type ListedWebhook } from '../webhooks/webhook-operations.js';
import { withSignedInClient } from './open-signed-in-client.js';
import type { WebhookPorts } from './webhook-ports.js';

/**
 * The webhooks the companion registered for an installation, each checked against BDC (present,
 * changed, missing) unless `offline`, which reads only what was recorded and needs no sign-in.
 */
export async function listInstallationWebhooks(
  ports: WebhookPorts,
  input: { readonly installation: string; readonly offline?: boolean },
): Promise<ListedWebhook[]> {
  const installation = ports.settings.requireInstallation(input.installation);
  if (input.offline === true) return listWebhooks(ports.database, installation.id, undefined);
  return withSignedInClient(ports, installation, ({ client }) =>
    listWebhooks(ports.database, installation.id, new BdcWebhooks(client)),
  );
}
