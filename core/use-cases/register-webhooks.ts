import { CompanionError } from '../../common/errors/companion-error.js';
import type { HintSurface } from '../../common/errors/hint-surface.js';
import type { Installation } from '../../common/models/installation.js';
import { WEBHOOK_PATH_PREFIX } from '../relay/webhook-listener.js';
import { BdcWebhooks } from '../webhooks/bdc-webhooks.js';
import { assessRelayUrlFor } from '../webhooks/relay-url-warnings.js';
import { registerWebhooks, type RegisterResult } from '../webhooks/webhook-operations.js';
import type { WebhookTarget } from '../webhooks/webhook-target.js';
import { withSignedInClient } from './open-signed-in-client.js';
import { secretStoreOf } from './secret-store-port.js';
import type { WebhookPorts } from './webhook-ports.js';

export interface RegisterWebhooksResult extends RegisterResult {
  /** Why BDC may not reach this URL (a VPN address, loopback…): said, not refused. */
  readonly warnings: readonly string[];
}

/**
 * The relay URL BDC would call when the admin names none: the public relay URL saved for the
 * installation plus the relay's path for its platform id; undefined without either.
 */
export function defaultRelayUrl(installation: Installation): string | undefined {
  const platformId = installation.platform?.installationId;
  const publicUrl = installation.relay.publicUrl;
  if (platformId === undefined || publicUrl === undefined) return undefined;
  return `${publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH_PREFIX}${encodeURIComponent(platformId)}`;
}

/**
 * Creates or updates the "Ankra" webhook on each target with the installation's secret, then has
 * BDC test it (`webhooks register`, the relay step of the wizard). A malformed URL is refused
 * before BDC is asked anything (WEBHOOK_URL_INVALID); WEBHOOK_SECRET_MISSING without a secret.
 */
export async function registerInstallationWebhooks(
  ports: WebhookPorts,
  input: {
    readonly installation: string;
    readonly targets: readonly WebhookTarget[];
    readonly url: string;
    /** Where the warnings are shown: the CLI's words, or the window's (the service). */
    readonly surface: HintSurface;
  },
): Promise<RegisterWebhooksResult> {
  const installation = ports.settings.requireInstallation(input.installation);
  const assessment = assessRelayUrlFor(installation, input.url, undefined, input.surface);
  const secrets = await secretStoreOf(ports.secretStore);
  const secret = await secrets.get({ installationId: installation.id, kind: 'webhook-secret' });
  if (secret === undefined || secret === '') {
    throw new CompanionError(
      'WEBHOOK_SECRET_MISSING',
      `No webhook secret is stored for "${installation.name}".`,
      { hint: 'Store the webhook secret the Ankra platform shows for this installation first.' },
    );
  }
  const result = await withSignedInClient(
    { secretStore: secrets, env: ports.env, ...(ports.logger ? { logger: ports.logger } : {}) },
    installation,
    ({ client }) =>
      registerWebhooks(
        {
          webhooks: new BdcWebhooks(client, assessment.url),
          database: ports.database,
          installationId: installation.id,
        },
        input.targets,
        assessment.url,
        secret,
      ),
  );
  ports.logger?.info('webhooks registered', {
    installation: installation.name,
    webhooks: result.webhooks.length,
    relayRecordedPing: result.relayRecordedPing,
  });
  return { ...result, warnings: assessment.warnings };
}
