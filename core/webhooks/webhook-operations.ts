import type { Database } from 'better-sqlite3';
import { sleep } from '../io/sleep.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { WebhookRegistration } from '../../common/models/relay.js';
import { issueReachNonce, reachProven } from '../relay/proof-of-reach.js';
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
