import type { Database } from 'better-sqlite3';
import type { Installation } from '../../common/models/installation.js';
import type {
  DeliveryState,
  RelayDeliveryDetail,
  RelayLiveness,
  RelayStatus,
} from '../../common/models/relay.js';
import type { DeliveryMode, WatchStatus } from '../../common/models/watch.js';
import type { DeliveryWithAttempts } from '../relay/delivery-queries.js';
import { relayLiveness } from '../relay/relay-heartbeat.js';
import {
  deliveryDetail,
  listDeliveriesWithAttempts,
  relayStatus,
  replayDeadDeliveries,
  replayDelivery,
} from '../relay/relay-queries.js';
import type { SettingsStore } from '../settings/settings-store.js';
import { watchOverview } from '../watch/watch-queries.js';

/**
 * The relay's queue is read from the shared database, so every surface (`relay status`, the relay
 * view of the desktop and `serve`) sees the deliveries of whichever process runs the relay.
 */
export interface RelayQueuePorts {
  readonly settings: SettingsStore;
  readonly database: Database;
  readonly now: () => number;
}

export interface RelayQueueStatus {
  readonly installation: Installation;
  readonly status: RelayStatus;
  /** The relay processes alive now (from their heartbeats), and the last run. */
  readonly liveness: RelayLiveness;
}

export interface RelayOverview extends RelayQueueStatus {
  /** Which delivery mode runs (webhooks, watch) and why, with the watch's figures. */
  readonly mode: DeliveryMode;
  readonly watch: WatchStatus;
}

/**
 * End-to-end relay status: received, acknowledged, queue depth, last error, who runs it. Cheap
 * enough to read on every relay event (the relay view's live status).
 */
export function readRelayStatus(
  ports: RelayQueuePorts,
  input: { readonly installation: string },
): RelayQueueStatus {
  const installation = ports.settings.requireInstallation(input.installation);
  const now = ports.now();
  return {
    installation,
    status: relayStatus(ports.database, installation.id, now),
    liveness: relayLiveness(ports.database, installation.id, { now }),
  };
}

/** The relay status with the delivery mode and why (`relay status`). */
export function readRelayOverview(
  ports: RelayQueuePorts,
  input: { readonly installation: string },
): RelayOverview {
  const read = readRelayStatus(ports, input);
  return { ...read, ...watchOverview(ports.database, read.installation) };
}

/** The deliveries, newest first, each with its attempts (default 100 of them). */
export function listRelayDeliveries(
  ports: Omit<RelayQueuePorts, 'now'>,
  input: {
    readonly installation: string;
    readonly state?: DeliveryState;
    readonly limit?: number;
  },
): DeliveryWithAttempts[] {
  const installation = ports.settings.requireInstallation(input.installation);
  return listDeliveriesWithAttempts(ports.database, installation.id, {
    ...(input.state === undefined ? {} : { state: input.state }),
    limit: input.limit ?? 100,
  });
}

/** One delivery: headers, the start of its body, every attempt with the platform's answer. */
export function showRelayDelivery(
  ports: Omit<RelayQueuePorts, 'now'>,
  input: { readonly installation: string; readonly id: number },
): RelayDeliveryDetail {
  const installation = ports.settings.requireInstallation(input.installation);
  return deliveryDetail(ports.database, installation.id, input.id);
}

/**
 * Queues delivered or dead-lettered deliveries again (RELAY_DELIVERY_PENDING for one still
 * pending): a running relay sends them within a second, otherwise the next run does. Returns
 * the ids queued.
 */
export function replayRelayDeliveries(
  ports: RelayQueuePorts,
  input: {
    readonly installation: string;
    readonly ids?: readonly number[];
    readonly dead?: boolean;
  },
): number[] {
  const installation = ports.settings.requireInstallation(input.installation);
  const now = ports.now();
  const replayed = (input.ids ?? []).map(
    (id) => replayDelivery(ports.database, installation.id, id, now).id,
  );
  if (input.dead === true) {
    replayed.push(...replayDeadDeliveries(ports.database, installation.id, now));
  }
  return replayed;
}
