import type { WebhookSecretChange } from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import type { Logger } from '../logging/logger.js';
import type { InstallationChanges } from '../settings/installation-changes.js';
import { updateInstallation } from '../settings/update-installation.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { changeWebhookSecret, type WebhookSecretPorts } from '../webhooks/change-webhook-secret.js';
import type { Environment } from './local-ports.js';

export interface ChangeInstallationPorts {
  readonly settings: SettingsStore;
  readonly env: Environment;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Needed only when the webhook secret changes. */
  readonly webhookSecret?: WebhookSecretPorts | undefined;
}

export interface ChangeInstallationInput {
  /** Name or id. */
  readonly installation: string;
  readonly changes: InstallationChanges;
  /**
   * The webhook secret the Ankra platform issued for this installation (docs/relay-and-services.md,
   * "Who issues the webhook secret"): stored, and put on every BDC webhook the companion registered.
   */
  readonly webhookSecret?: string | undefined;
  /** Save new trust without probing (the instance is down for maintenance). */
  readonly skipProbe?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Told before the probe of new trust runs. */
  readonly onProbe?: ((url: string) => void) | undefined;
}

export interface ChangeInstallationResult {
  readonly installation: Installation;
  /** Present when the webhook secret changed. */
  readonly webhookSecret?: WebhookSecretChange | undefined;
}

/**
 * Changes an installation's trust, platform link, relay settings or webhook secret
 * (`installation update`, `webhooks rotate-secret`, the installations and relay views): new
 * trust is probed before it is saved; the settings are saved before the secret changes, so a
 * refused setting changes nothing.
 */
export async function changeInstallation(
  ports: ChangeInstallationPorts,
  input: ChangeInstallationInput,
): Promise<ChangeInstallationResult> {
  const settingsChanged = Object.keys(input.changes).length > 0;
  const next = settingsChanged
    ? await updateInstallation(ports.settings, input.installation, input.changes, {
        now: ports.now(),
        env: ports.env,
        ...(input.signal === undefined ? {} : { signal: input.signal }),
        ...(input.skipProbe === undefined ? {} : { skipProbe: input.skipProbe }),
        ...(input.onProbe === undefined ? {} : { onProbe: input.onProbe }),
      })
    : ports.settings.requireInstallation(input.installation);
  if (settingsChanged) {
    ports.logger.info('installation updated', {
      installation: next.name,
      changed: Object.keys(input.changes),
    });
  }
  if (input.webhookSecret === undefined) return { installation: next };
  if (ports.webhookSecret === undefined) {
    throw new Error('changeInstallation: a webhook secret needs the webhookSecret ports');
  }
  const webhookSecret = await changeWebhookSecret(ports.webhookSecret, next, input.webhookSecret);
  ports.logger.info('webhook secret changed', {
    installation: next.name,
    switched: webhookSecret.switched.length,
  });
  return { installation: next, webhookSecret };
}
