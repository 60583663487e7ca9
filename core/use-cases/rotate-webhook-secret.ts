import type { WebhookSecretChange } from '../../common/api/models.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import { silentLogger } from '../logging/logger.js';
import { WebhookRegistry } from '../webhooks/webhook-registry.js';
import { changeInstallation } from './change-installation.js';
import { webhookSecretPortsOf, type WebhookPorts } from './webhook-ports.js';

/**
 * Puts the new secret the Ankra platform issued on every registered BDC webhook (`webhooks
 * rotate-secret`, the relay view's rotation). The platform issues webhook secrets
 * (docs/relay-and-services.md, "Who issues the webhook secret"), so the secret is always given,
 * never made up; the work is the installation change every surface shares
 * (core/use-cases/change-installation.ts), refused when nothing is registered to rotate.
 */
export async function rotateInstallationWebhookSecret(
  ports: WebhookPorts & { readonly now?: () => Date },
  input: { readonly installation: string; readonly secret: string },
): Promise<WebhookSecretChange> {
  const installation = ports.settings.requireInstallation(input.installation);
  if (new WebhookRegistry(ports.database).list(installation.id).length === 0) {
    throw new CompanionError(
      'WEBHOOK_NOT_REGISTERED',
      'No BDC webhook is registered for this installation.',
    );
  }
  return setInstallationWebhookSecret(ports, input);
}

/**
 * Stores the webhook secret the Ankra platform issued and switches every registered webhook to
 * it (`installation update --webhook-secret-stdin`, the wizard's relay step).
 */
export async function setInstallationWebhookSecret(
  ports: WebhookPorts & { readonly now?: () => Date },
  input: { readonly installation: string; readonly secret: string },
): Promise<WebhookSecretChange> {
  const now = ports.now ?? (() => new Date());
  const { webhookSecret } = await changeInstallation(
    {
      settings: ports.settings,
      env: ports.env,
      now,
      logger: ports.logger ?? silentLogger,
      webhookSecret: {
        ...(await webhookSecretPortsOf(ports)),
        now: () => now().getTime(),
      },
    },
    { installation: input.installation, changes: {}, webhookSecret: input.secret },
  );
  if (webhookSecret === undefined) throw new Error('the webhook secret was not changed');
  return webhookSecret;
}
