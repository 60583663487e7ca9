import type { Database } from 'better-sqlite3';
import type { WebhookSecretChange, WebhookSecretSwitched } from '../../common/api/models.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { HintSurface } from '../../common/errors/hint-surface.js';
import type { Installation } from '../../common/models/installation.js';
import type { WebhookRegistration } from '../../common/models/relay.js';
import { manualWebhookSecretSteps } from '../../common/relay/manual-webhook-steps.js';
import { registerSecret } from '../logging/redact.js';
import { PREVIOUS_SECRET_GRACE_MS, storeRotatedSecret } from '../relay/webhook-secrets.js';
import { MIN_WEBHOOK_SECRET_LENGTH } from '../../common/relay/webhook-secret-length.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { BdcWebhooks } from './bdc-webhooks.js';
import { registrationTarget, WebhookRegistry } from './webhook-registry.js';
import { describeTarget, WEBHOOK_NAME } from './webhook-target.js';

/** What changing the webhook secret needs besides the settings. */
export interface WebhookSecretPorts {
  readonly secretStore: SecretStore;
  readonly database: Database;
  /**
   * The installation's signed-in webhook client; opened only when webhooks are registered. A
   * failure to open (not signed in) leaves those webhooks to the admin, with the steps.
   */
  readonly openWebhooks: (
    installation: Installation,
  ) => Promise<{ readonly webhooks: BdcWebhooks; close(): Promise<void> }>;
  readonly now?: () => number;
  readonly graceMs?: number;
}

/** A webhook BDC did not switch: why, and what to change by hand in each surface's words. */
interface PendingWebhook {
  readonly target: string;
  readonly webhookId: number;
  readonly reason: string;
  readonly steps: Readonly<Record<HintSurface, string>>;
}

/** The secret as the platform issued it, trimmed; refused when it cannot be a real one. */
export function checkedWebhookSecret(text: string): string {
  const secret = text.trim();
  registerSecret(secret);
  if (secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
    throw new CompanionError(
      'INPUT_INVALID',
      `The webhook secret is shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters (or empty).`,
    );
  }
  if (/[\r\n\t\0]/.test(secret)) {
    throw new CompanionError(
      'INPUT_INVALID',
      'The webhook secret contains a line break, tab or NUL: give the secret exactly as the platform shows it.',
    );
  }
  return secret;
}

/**
 * Gives the installation the webhook secret the Ankra platform issued (docs/relay-and-services.md,
 * "Who issues the webhook secret"), without refusing a valid delivery:
 *
 * 1. the new secret is stored with the old one kept as "previous" for a grace period, so a relay
 *    (in this or another process) accepts both before any BDC webhook changes;
 * 2. each webhook the companion registered is switched to it — a full PUT where BDC allows it;
 *    where it does not, a new webhook is added first and the old one deleted after, so there is
 *    never a moment without a webhook (at worst one event is delivered twice);
 * 3. a webhook BDC did not switch (no sign-in, no webhook rights, BDC failing) is an error
 *    WEBHOOK_SECRET_NOT_APPLIED naming each one with the manual steps, after the others switched.
 */
export async function changeWebhookSecret(
  ports: WebhookSecretPorts,
  installation: Installation,
  text: string,
): Promise<WebhookSecretChange> {
  const secret = checkedWebhookSecret(text);
  const now = ports.now ?? Date.now;
  const graceMs = ports.graceMs ?? PREVIOUS_SECRET_GRACE_MS;
  const { hadPrevious } = await storeRotatedSecret(
    ports.secretStore,
    installation.id,
    secret,
    now(),
    graceMs,
  );
  const previousAcceptedUntil = hadPrevious ? new Date(now() + graceMs).toISOString() : undefined;
  const registry = new WebhookRegistry(ports.database);
  const registrations = registry.list(installation.id);
  const switched: WebhookSecretSwitched[] = [];
  const pending: PendingWebhook[] = [];
  if (registrations.length > 0) {
    let opened: Awaited<ReturnType<WebhookSecretPorts['openWebhooks']>> | undefined;
    let openError: unknown;
    try {
      opened = await ports.openWebhooks(installation);
    } catch (error) {
      openError = error;
    }
    try {
      for (const registration of registrations) {
        try {
          if (opened === undefined) throw openError;
          switched.push(await swapSecret(opened.webhooks, registry, registration, secret, now));
        } catch (error) {
          pending.push(pendingWebhook(installation, registration, error));
        }
      }
    } finally {
      await opened?.close();
    }
  }
  const change: WebhookSecretChange = { switched, previousAcceptedUntil };
  if (pending.length > 0) throw notApplied(change, pending);
  return change;
}

function pendingWebhook(
  installation: Installation,
  registration: WebhookRegistration,
  error: unknown,
): PendingWebhook {
  const target = registrationTarget(registration);
  return {
    target: describeTarget(target),
    webhookId: registration.webhookId,
    reason: error instanceof Error ? error.message : String(error),
    steps: {
      gui: manualWebhookSecretSteps(installation.baseUrl, target, 'gui'),
      cli: manualWebhookSecretSteps(installation.baseUrl, target, 'cli'),
    },
  };
}

function notApplied(
  change: WebhookSecretChange,
  pending: readonly PendingWebhook[],
): CompanionError {
  const until =
    change.previousAcceptedUntil === undefined
      ? ''
      : ` The relay accepts their deliveries only until ${change.previousAcceptedUntil}.`;
  // Each reason is a sentence of its own; inside the parentheses its final stop is dropped.
  const listed = pending
    .map((each) => `${each.target}: ${each.reason.replace(/\.$/, '')}`)
    .join('; ');
  return new CompanionError(
    'WEBHOOK_SECRET_NOT_APPLIED',
    `The new webhook secret is stored and the relay accepts it, but BDC still has the previous secret on ${pending.length} webhook${pending.length === 1 ? '' : 's'} (${listed}).${until}`,
    {
      hint: pending.map((each) => each.steps.cli).join('\n'),
      hintGui: pending.map((each) => each.steps.gui).join('\n'),
      data: {
        switched: change.switched,
        previousAcceptedUntil: change.previousAcceptedUntil,
        pending: pending.map(({ target, webhookId, reason }) => ({ target, webhookId, reason })),
      },
    },
  );
}

async function swapSecret(
  webhooks: BdcWebhooks,
  registry: WebhookRegistry,
  registration: WebhookRegistration,
  secret: string,
  now: () => number,
): Promise<WebhookSecretSwitched> {
  const target = registrationTarget(registration);
  const spec = { name: WEBHOOK_NAME, url: registration.url, events: registration.events, secret };
  let method: WebhookSecretSwitched['method'] = 'updated';
  let webhook = await updateOrUndefined(webhooks, target, registration.webhookId, spec);
  if (webhook === undefined) {
    method = 're-added';
    webhook = await webhooks.create(target, spec);
    if (webhook.id !== registration.webhookId) {
      await webhooks.remove(target, registration.webhookId);
    }
  }
  registry.save(registration.installationId, target, webhook, now(), true);
  return { target: describeTarget(target), webhookId: webhook.id, method };
}

/** PUT the new secret; undefined when BDC cannot update in place (gone, or refused the update). */
async function updateOrUndefined(
  webhooks: BdcWebhooks,
  target: ReturnType<typeof registrationTarget>,
  id: number,
  spec: { name: string; url: string; events: readonly string[]; secret: string },
) {
  try {
    return await webhooks.update(target, id, spec);
  } catch (error) {
    if (
      error instanceof CompanionError &&
      (error.code === 'WEBHOOK_PERMISSION_DENIED' || error.code === 'WEBHOOK_REPO_NOT_FOUND')
    ) {
      throw error;
    }
    return undefined;
  }
}
