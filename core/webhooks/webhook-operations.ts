import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { sleep } from '../io/sleep.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { WebhookRegistration } from '../../common/models/relay.js';
import { issueReachNonce, reachProven } from '../relay/proof-of-reach.js';
import { PREVIOUS_SECRET_GRACE_MS, storeRotatedSecret } from '../relay/webhook-secrets.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { BdcWebhooks, WebhookTestResult } from './bdc-webhooks.js';
import { recordReachEvidence } from '../watch/reach-evidence.js';
import { describeWebhookTestFailure } from '../../common/relay/webhook-test-outcome.js';
import { registrationTarget, WebhookRegistry } from './webhook-registry.js';
import {
  describeTarget,
  WEBHOOK_EVENTS,
  WEBHOOK_NAME,
  type WebhookTarget,
} from './webhook-target.js';

export interface RegisteredWebhookResult {
  readonly target: string;
  readonly webhookId: number;
  readonly action: 'created' | 'updated';
  readonly test: WebhookTestResult;
}

export interface RegisterResult {
  readonly url: string;
  readonly webhooks: readonly RegisteredWebhookResult[];
  /**
   * Whether the relay running on this config home received BDC's test ping carrying this
   * registration's one-time nonce: the proof that BDC reached *this* relay (an unsigned request
   * from anyone else cannot produce it; core/relay/proof-of-reach.ts).
   */
  readonly relayRecordedPing: boolean;
}

export interface WebhookOperationContext {
  readonly webhooks: BdcWebhooks;
  readonly database: Database;
  readonly installationId: string;
  readonly now?: () => number;
  /** How long to wait for the relay to record the test ping (it is written asynchronously). */
  readonly pingWaitMs?: number;
}

/**
 * Creates or updates the webhook named "Ankra" on each target (event `repo:refs_changed`, the
 * relay URL as BDC sees it, the installation's secret), then has BDC test it.
 */
export async function registerWebhooks(
  context: WebhookOperationContext,
  targets: readonly WebhookTarget[],
  url: string,
  secret: string,
): Promise<RegisterResult> {
  if (secret === '') {
    throw new CompanionError('WEBHOOK_SECRET_MISSING', 'The webhook secret is empty.');
  }
  const now = context.now ?? Date.now;
  const registry = new WebhookRegistry(context.database);
  const reach = issueReachNonce(context.database, context.installationId, url, now());
  const results: RegisteredWebhookResult[] = [];
  for (const target of targets) {
    const spec = { name: WEBHOOK_NAME, url, events: WEBHOOK_EVENTS, secret };
    const existing = (await context.webhooks.list(target)).find(
      (hook) => hook.name === WEBHOOK_NAME,
    );
    let webhook =
      existing === undefined ? undefined : await context.webhooks.update(target, existing.id, spec);
    const action = webhook === undefined ? 'created' : 'updated';
    webhook ??= await context.webhooks.create(target, spec);
    registry.save(context.installationId, target, webhook, now());
    // BDC tests the URL it is given: the relay URL plus the one-time nonce. No webhookId, so BDC
    // cannot substitute the stored URL (which has no nonce) for it.
    const test = await context.webhooks.test(target, reach.testUrl, undefined);
    results.push({ target: describeTarget(target), webhookId: webhook.id, action, test });
  }
  const relayRecordedPing = await waitForReach(
    context,
    reach.nonce,
    results.some((result) => result.test.reached),
  );
  // The evidence that decides between webhooks and watch mode (docs/watch-mode.md): only the
  // relay burning the nonce proves BDC reached it; BDC's own 2xx may come from anything at the URL.
  const failed = results.find((result) => !result.test.reached);
  recordReachEvidence(context.database, context.installationId, {
    at: now(),
    reached: relayRecordedPing,
    ...(relayRecordedPing
      ? {}
      : {
          // In words (the relay view and `relay status` show it), with BDC's own text after.
          reason:
            failed === undefined
              ? 'BDC got an answer at the URL, but no relay of this companion recorded its test'
              : `${describeWebhookTestFailure(failed.test)}${failed.test.error === undefined ? '' : ` (${failed.test.error})`}`,
        }),
  });
  return { url, webhooks: results, relayRecordedPing };
}

/** Waits for the relay to burn this registration's nonce (it records the ping asynchronously). */
async function waitForReach(
  context: WebhookOperationContext,
  nonce: string,
  expected: boolean,
): Promise<boolean> {
  const deadline = Date.now() + (expected ? (context.pingWaitMs ?? 2_000) : 0);
  for (;;) {
    if (reachProven(context.database, context.installationId, nonce)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

export interface RotatedWebhook {
  readonly target: string;
  readonly webhookId: number;
  /** `updated` in place (PUT), or `re-added` (created anew, then the old one deleted). */
  readonly method: 'updated' | 're-added';
  /** Time BDC took to switch this webhook to the new secret. */
  readonly swapMs: number;
}

export interface RotateResult {
  /** The new secret: shown once, for the platform. */
  readonly secret: string;
  readonly webhooks: readonly RotatedWebhook[];
  /**
   * Webhooks BDC could not switch (they still sign with the previous secret, accepted until
   * `previousAcceptedUntil`): `webhooks register` puts the current secret on them.
   */
  readonly failed: readonly {
    readonly target: string;
    readonly webhookId: number;
    readonly error: string;
  }[];
  readonly totalMs: number;
  /** Until when the relay still accepts deliveries signed with the previous secret. */
  readonly previousAcceptedUntil: string;
}

/**
 * Rotates the installation's webhook secret without refusing a valid delivery:
 *
 * 1. the new secret is stored with the old one kept as "previous" for a grace period, so a relay
 *    (in this or another process) accepts both before any BDC webhook changes;
 * 2. each registered webhook is switched to the new secret — a full PUT where BDC allows it;
 *    where it does not, a new webhook is added first and the old one deleted after, so there is
 *    never a moment without a webhook (at worst one event is delivered twice);
 * 3. the relay drops the old secret when the grace period ends.
 */
export async function rotateWebhookSecret(
  context: WebhookOperationContext,
  secrets: SecretStore,
  options: { readonly graceMs?: number; readonly generate?: () => string } = {},
): Promise<RotateResult> {
  const now = context.now ?? Date.now;
  const registry = new WebhookRegistry(context.database);
  const registrations = registry.list(context.installationId);
  if (registrations.length === 0) {
    throw new CompanionError(
      'WEBHOOK_NOT_REGISTERED',
      'No BDC webhook is registered for this installation.',
    );
  }
  const secret = (options.generate ?? (() => randomBytes(32).toString('base64url')))();
  const graceMs = options.graceMs ?? PREVIOUS_SECRET_GRACE_MS;
  const started = performance.now();
  await storeRotatedSecret(secrets, context.installationId, secret, now(), graceMs);
  const rotated: RotatedWebhook[] = [];
  const failed: { target: string; webhookId: number; error: string }[] = [];
  // The new secret is already the current one: every webhook is attempted, and those that fail
  // are reported (with the secret, which the platform needs either way) instead of aborting.
  for (const registration of registrations) {
    try {
      rotated.push(await swapSecret(context, registry, registration, secret));
    } catch (error) {
      failed.push({
        target: describeTarget(registrationTarget(registration)),
        webhookId: registration.webhookId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return {
    secret,
    webhooks: rotated,
    failed,
    totalMs: Math.round(performance.now() - started),
    previousAcceptedUntil: new Date(now() + graceMs).toISOString(),
  };
}

async function swapSecret(
  context: WebhookOperationContext,
  registry: WebhookRegistry,
  registration: WebhookRegistration,
  secret: string,
): Promise<RotatedWebhook> {
  const now = context.now ?? Date.now;
  const target = registrationTarget(registration);
  const spec = { name: WEBHOOK_NAME, url: registration.url, events: registration.events, secret };
  const started = performance.now();
  let method: RotatedWebhook['method'] = 'updated';
  let webhook = await updateOrUndefined(context, target, registration.webhookId, spec);
  if (webhook === undefined) {
    method = 're-added';
    webhook = await context.webhooks.create(target, spec);
    if (webhook.id !== registration.webhookId) {
      await context.webhooks.remove(target, registration.webhookId);
    }
  }
  const swapMs = Math.round((performance.now() - started) * 10) / 10;
  registry.save(context.installationId, target, webhook, now(), true);
  return { target: describeTarget(target), webhookId: webhook.id, method, swapMs };
}

/** PUT the new secret; undefined when BDC cannot update in place (gone, or refused the update). */
async function updateOrUndefined(
  context: WebhookOperationContext,
  target: WebhookTarget,
  id: number,
  spec: { name: string; url: string; events: readonly string[]; secret: string },
) {
  try {
    return await context.webhooks.update(target, id, spec);
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

/** One registration as `webhooks list` shows it, with what BDC says about it now. */
export interface ListedWebhook extends WebhookRegistration {
  /** present: BDC has it with this URL; changed: BDC has it with another URL or inactive; missing: deleted in BDC. */
  readonly bdc: 'present' | 'changed' | 'missing' | 'unchecked';
}

export async function listWebhooks(
  database: Database,
  installationId: string,
  webhooks: BdcWebhooks | undefined,
): Promise<ListedWebhook[]> {
  const registrations = new WebhookRegistry(database).list(installationId);
  const listed: ListedWebhook[] = [];
  for (const registration of registrations) {
    if (webhooks === undefined) {
      listed.push({ ...registration, bdc: 'unchecked' });
      continue;
    }
    const found = await webhooks.get(registrationTarget(registration), registration.webhookId);
    const bdc =
      found === undefined
        ? 'missing'
        : found.url === registration.url && found.active
          ? 'present'
          : 'changed';
    listed.push({ ...registration, bdc });
  }
  return listed;
}
