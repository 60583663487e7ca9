import type { Database } from 'better-sqlite3';
import type { RelayDelivery, RelayDeliveryDetail, RelayStatus } from '../../common/models/relay.js';
import {
  deliveryQueries,
  type DeliveryListOptions,
  type DeliveryWithAttempts,
} from './delivery-queries.js';
import { deliveryStore } from './delivery-store.js';

/**
 * What the UI and the CLI ask of the relay's queue, from any process: the daemon forwarding
 * deliveries does not need to be asked, it reads the queue again within a second.
 */
export function relayStatus(
  database: Database,
  installationId: string,
  now = Date.now(),
): RelayStatus {
  return deliveryQueries(database).status(installationId, now);
}

export function listDeliveries(
  database: Database,
  installationId: string,
  options: DeliveryListOptions = {},
): RelayDelivery[] {
  return deliveryQueries(database).list(installationId, options);
}

/** A page of deliveries with their attempt logs (two queries, whatever the page size). */
export function listDeliveriesWithAttempts(
  database: Database,
  installationId: string,
  options: DeliveryListOptions = {},
): DeliveryWithAttempts[] {
  return deliveryQueries(database).listWithAttempts(installationId, options);
}

export function deliveryDetail(
  database: Database,
  installationId: string,
  id: number,
): RelayDeliveryDetail {
  return deliveryQueries(database).detail(installationId, id);
}

/** Replays one delivered or dead-lettered delivery (RELAY_DELIVERY_PENDING if still pending). */
export function replayDelivery(
  database: Database,
  installationId: string,
  id: number,
  now = Date.now(),
): RelayDelivery {
  return deliveryStore(database).replay(installationId, id, now);
}

/** Replays every dead-lettered delivery; returns their ids. */
export function replayDeadDeliveries(
  database: Database,
  installationId: string,
  now = Date.now(),
): number[] {
  return deliveryStore(database).replayDead(installationId, now);
}
