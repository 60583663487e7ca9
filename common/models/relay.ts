/**
 * The webhook relay as the UI and the CLI see it: deliveries in the durable queue, their
 * attempts, the end-to-end status and the live events. Times are ISO-8601 strings so the models
 * cross IPC and HTTP unchanged.
 */

export type DeliveryState = 'pending' | 'delivered' | 'dead';

export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivered', 'dead'];

export interface RelayDelivery {
  readonly id: number;
  readonly installationId: string;
  /** BDC's `X-Request-Id`: the platform deduplicates on it. */
  readonly requestId: string | undefined;
  readonly eventKey: string;
  /** `PROJECT/slug` taken from the payload; deliveries of one repository are forwarded in order. */
  readonly repository: string;
  readonly state: DeliveryState;
  readonly receivedAt: string;
  readonly bodyBytes: number;
  readonly attempts: number;
  /** When the next attempt is due (pending deliveries only). */
  readonly nextAttemptAt: string | undefined;
  readonly deliveredAt: string | undefined;
  readonly deadAt: string | undefined;
  /** Why the delivery was dead-lettered, or why the last attempt failed. */
  readonly lastError: string | undefined;
  /** How many times the delivery was replayed by hand. */
  readonly replays: number;
}

/** One POST to the platform: what happened, how long it took, and what the platform said. */
export interface DeliveryAttempt {
  readonly deliveryId: number;
  readonly number: number;
  readonly at: string;
  /** HTTP status; undefined for network errors and timeouts. */
  readonly status: number | undefined;
  readonly latencyMs: number;
  readonly outcome: 'delivered' | 'retry' | 'dead';
  readonly error: string | undefined;
  /** The start of the platform's response body (at most 512 characters). */
  readonly responseExcerpt: string | undefined;
}

export interface RelayLastError {
  readonly at: string;
  readonly message: string;
  readonly deliveryId: number | undefined;
}

/** One relay process as its heartbeat in the shared database describes it. */
export interface RelayRun {
  readonly pid: number;
  /** The machine's host name: a home on a shared disk can be used from more than one. */
  readonly host: string;
  /** `http(s)://host:port` the relay listens on. */
  readonly url: string;
  readonly startedAt: string;
  readonly lastBeatAt: string;
}

/** A relay run that is over, and how it ended. */
export interface EndedRelayRun extends RelayRun {
  /**
   * `stopped`: it closed cleanly. `vanished`: its heartbeat stopped without a clean close — the
   * process was killed, crashed, or its machine sleeps.
   */
  readonly ended: 'stopped' | 'vanished';
  readonly endedAt: string;
}

/** Whether a relay runs for an installation — in any process sharing the config home. */
export interface RelayLiveness {
  readonly running: readonly RelayRun[];
  /** The most recent run that is over, when no relay runs. */
  readonly lastRun: EndedRelayRun | undefined;
}

/**
 * End-to-end status: not "the socket is open" but what was received from BDC and what the
 * platform acknowledged, so drift between the two is visible.
 */
export interface RelayStatus {
  readonly installationId: string;
  /** Last delivery from BDC stored in the queue. */
  readonly lastReceivedAt: string | undefined;
  /** Last delivery the platform acknowledged with a 2xx. */
  readonly lastDeliveredAt: string | undefined;
  /** Last `diagnostics:ping`: the proof that BDC reached the relay. */
  readonly lastPingAt: string | undefined;
  readonly pending: number;
  readonly oldestPendingAgeMs: number | undefined;
  readonly delivered: number;
  readonly dead: number;
  /** Requests refused with 401 because the signature was missing or wrong. */
  readonly rejectedSignatures: number;
  /** Deliveries BDC sent again with an `X-Request-Id` already stored (acknowledged, not stored). */
  readonly duplicates: number;
  /** Verified events outside the allowlist (acknowledged, not forwarded). */
  readonly dropped: number;
  readonly lastError: RelayLastError | undefined;
}

export interface RelayDeliveryDetail {
  readonly delivery: RelayDelivery;
  readonly attempts: readonly DeliveryAttempt[];
  /** Forwarded headers (the signature shortened: it is derived from the secret). */
  readonly headers: Readonly<Record<string, string>>;
  /** The start of the body as text (at most 4 KiB). */
  readonly bodyExcerpt: string;
}

/** Live events of a running relay, for the UI's relay view and the tray. */
export type RelayEvent =
  | { readonly kind: 'listening'; readonly url: string }
  | { readonly kind: 'received'; readonly delivery: RelayDelivery }
  | { readonly kind: 'duplicate'; readonly requestId: string }
  | { readonly kind: 'ping'; readonly at: string }
  | { readonly kind: 'rejected'; readonly reason: RelayRejection; readonly at: string }
  | { readonly kind: 'dropped'; readonly eventKey: string; readonly at: string }
  | { readonly kind: 'attempt'; readonly attempt: DeliveryAttempt }
  | { readonly kind: 'delivered'; readonly deliveryId: number; readonly at: string }
  | { readonly kind: 'dead'; readonly deliveryId: number; readonly reason: string }
  | { readonly kind: 'stopped' };

export type RelayRejection =
  'signature-missing' | 'signature-invalid' | 'body-too-large' | 'unknown-installation';

/** A BDC webhook the companion registered (name "Ankra"), as `webhooks list` shows it. */
export interface WebhookRegistration {
  readonly installationId: string;
  readonly scope: 'repository' | 'project';
  readonly project: string;
  /** Undefined for a project-level webhook. */
  readonly slug: string | undefined;
  readonly webhookId: number;
  readonly url: string;
  readonly events: readonly string[];
  readonly active: boolean;
  readonly registeredAt: string;
  readonly secretRotatedAt: string | undefined;
}
