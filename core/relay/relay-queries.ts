import type { Database } from 'better-sqlite3';
import type {
  DeliveryState,
  RelayDelivery,
  RelayDeliveryDetail,
  RelayStatus,
} from '../../common/models/relay.js';
import { DeliveryStore } from './delivery-store.js';

/**
 * What the UI and the CLI ask of the relay's queue, from any process: the daemon forwarding
 * deliveries does not need to be asked, it reads the queue again within a second.
 */
export function relayStatus(
  database: Database,
  installationId: string,
  now = Date.now(),
): RelayStatus {
  return new DeliveryStore(database).status(installationId, now);
}

export function listDeliveries(
  database: Database,
  installationId: string,
  options: {
    readonly state?: DeliveryState;
    readonly limit?: number;
    readonly beforeId?: number;
  } = {},
): RelayDelivery[] {
  return new DeliveryStore(database).list(installationId, options);
}

export function deliveryDetail(
  database: Database,
  installationId: string,
  id: number,
): RelayDeliveryDetail {
  return new DeliveryStore(database).detail(installationId, id);
}

/** Replays one delivered or dead-lettered delivery (RELAY_DELIVERY_PENDING if still pending). */
export function replayDelivery(
  database: Database,
  installationId: string,
  id: number,
  now = Date.now(),
): RelayDelivery {
  return new DeliveryStore(database).replay(installationId, id, now);
}

/** Replays every dead-lettered delivery; returns their ids. */
export function replayDeadDeliveries(
  database: Database,
  installationId: string,
  now = Date.now(),
): number[] {
  return new DeliveryStore(database).replayDead(installationId, now);
}
