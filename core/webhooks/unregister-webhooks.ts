import type { Database } from 'better-sqlite3';
import { isCompanionError } from '../../common/errors/companion-error.js';
import type { BdcWebhooks } from './bdc-webhooks.js';
import { registrationTarget, WebhookRegistry } from './webhook-registry.js';
import { describeTarget, WEBHOOK_NAME, type WebhookTarget } from './webhook-target.js';

export interface UnregisteredWebhook {
  readonly target: string;
  readonly webhookId: number;
  /** `already-gone`: BDC no longer had it (deleted by hand, or the repository is gone). */
  readonly bdc: 'deleted' | 'already-gone';
}

function sameTarget(a: WebhookTarget, b: WebhookTarget): boolean {
  return (
    a.kind === b.kind &&
    a.project === b.project &&
    (a.kind === 'project' || (b.kind === 'repository' && a.slug === b.slug))
  );
}

/**
 * Deletes the "Ankra" webhooks on the given targets — or on every target the companion
 * registered — from BDC, then forgets them. Besides the webhook the companion recorded, any other
 * webhook named "Ankra" on a target goes too (one registered from another machine), since BDC
 * would otherwise keep calling a relay that is being retired. BDC is asked first: when it refuses,
 * nothing is forgotten and the command can be run again.
 */
export async function unregisterWebhooks(
  context: {
    readonly webhooks: BdcWebhooks;
    readonly database: Database;
    readonly installationId: string;
  },
  targets: readonly WebhookTarget[] | 'all',
): Promise<UnregisteredWebhook[]> {
  const registry = new WebhookRegistry(context.database);
  const registrations = registry.list(context.installationId);
  const chosen = targets === 'all' ? registrations.map(registrationTarget) : targets;
  const removed: UnregisteredWebhook[] = [];
  for (const target of chosen) {
    const recorded = registrations.find((each) => sameTarget(registrationTarget(each), target));
    let named: number[];
    try {
      named = (await context.webhooks.list(target, true))
        .filter((hook) => hook.name === WEBHOOK_NAME)
        .map((hook) => hook.id);
    } catch (error) {
      // The repository or project itself is gone: so are its webhooks.
      if (!isCompanionError(error, 'WEBHOOK_REPO_NOT_FOUND') || recorded === undefined) throw error;
      named = [];
    }
    const ids = [...new Set([...(recorded ? [recorded.webhookId] : []), ...named])];
    for (const id of ids) {
      // The recorded one is deleted even if renamed in BDC since; a 404 means it is gone already.
      const deleted = await context.webhooks.remove(target, id);
      removed.push({
        target: describeTarget(target),
        webhookId: id,
        bdc: deleted ? 'deleted' : 'already-gone',
      });
    }
    registry.remove(context.installationId, target);
  }
  return removed;
}
