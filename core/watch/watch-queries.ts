import type { Database } from 'better-sqlite3';
import type { Installation } from '../../common/models/installation.js';
import type { DeliveryMode, WatchStatus } from '../../common/models/watch.js';
import { deliveryMode } from '../../common/relay/delivery-mode.js';
import { relayStatus } from '../relay/relay-queries.js';
import { WebhookRegistry } from '../webhooks/webhook-registry.js';
import { readReachEvidence } from './reach-evidence.js';
import { WatchStore } from './watch-store.js';

/** Watch mode as `relay status` and the relay view show it: which mode runs and why, and the watch's figures. */
export function watchOverview(
  database: Database,
  installation: Installation,
): { readonly mode: DeliveryMode; readonly watch: WatchStatus } {
  const settings = installation.relay.watch;
  const mode = deliveryMode({
    watch: settings,
    registeredWebhooks: new WebhookRegistry(database).list(installation.id).length,
    evidence: readReachEvidence(database, installation.id),
    lastPingAt: relayStatus(database, installation.id).lastPingAt,
  });
  const watch = new WatchStore(database).status(installation.id, {
    enabled: settings !== undefined,
    intervalSeconds: settings?.intervalSeconds,
  });
  return { mode, watch };
}
