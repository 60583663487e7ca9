import { BdcWebhooks } from '../webhooks/bdc-webhooks.js';
import { rotateWebhookSecret, type RotateResult } from '../webhooks/webhook-operations.js';
import { withSignedInClient } from './open-signed-in-client.js';
import { secretStoreOf } from './secret-store-port.js';
import type { WebhookPorts } from './webhook-ports.js';

/**
 * Makes a new webhook secret current (the previous one stays accepted for the grace period) and
 * puts it on every registered BDC webhook (`webhooks rotate-secret`, the relay view). The secret
 * is the one given (the platform issued it) or a new random one, returned once.
 */
export async function rotateInstallationWebhookSecret(
  ports: WebhookPorts,
  input: { readonly installation: string; readonly secret?: string },
): Promise<RotateResult> {
  const installation = ports.settings.requireInstallation(input.installation);
  const secrets = await secretStoreOf(ports.secretStore);
  const given = input.secret;
  const result = await withSignedInClient(
    { ...ports, secretStore: secrets },
    installation,
    ({ client }) =>
      rotateWebhookSecret(
        {
          webhooks: new BdcWebhooks(client),
          database: ports.database,
          installationId: installation.id,
        },
        secrets,
        given === undefined ? {} : { generate: () => given },
      ),
  );
  ports.logger?.info('webhook secret rotated', {
    installation: installation.name,
    updated: result.webhooks.length,
    failed: result.failed.length,
  });
  return result;
}
