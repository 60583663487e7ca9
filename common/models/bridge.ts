import * as Type from 'typebox/type';
import { type Static } from 'typebox';
import type { Immutable } from './immutable.js';

/**
 * The platform bridge's public shapes (`docs/bridge.md`): the policy an admin stores per
 * installation, and the status the CLI, the UI and the tray show.
 */

/** What the platform may do through the bridge; stored in the installation's settings. */
export const BridgePolicySchema = Type.Object(
  {
    /** `PROJECT/repo:branch-glob` rules; empty (the default) means the platform may push nothing. */
    push: Type.Array(Type.String({ minLength: 3, maxLength: 600 }), { maxItems: 200 }),
    /** Project keys the platform may read; empty means every project the credential can read. */
    readProjects: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 500 }),
  },
  { additionalProperties: false },
);

export type BridgePolicySettings = Immutable<Static<typeof BridgePolicySchema>>;

export const DEFAULT_BRIDGE_POLICY: BridgePolicySettings = { push: [], readProjects: [] };

/** The connection's life, one value per `bridge run --json` line. */
export type BridgeConnectionState =
  'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'refused';

export type BridgeRequestOutcome = 'ok' | 'denied' | 'failed' | 'cancelled';

/** One audited request, as the Bridge view lists it. Never a body, a token or a header value. */
export interface BridgeRequestRecord {
  readonly id: string;
  readonly kind: 'http' | 'push';
  readonly method?: string;
  /** The path without query values. */
  readonly path?: string;
  readonly repo?: string;
  readonly branch?: string;
  readonly status?: number;
  readonly bytes?: number;
  readonly durationMs: number;
  readonly outcome: BridgeRequestOutcome;
  readonly code?: string;
  readonly at: string;
}

export interface BridgeStatus {
  readonly state: BridgeConnectionState;
  readonly platformUrl: string | undefined;
  /** ISO time the current connection was welcomed. */
  readonly connectedSince: string | undefined;
  readonly reconnectAttempts: number;
  readonly lastRequest: BridgeRequestRecord | undefined;
  readonly counts: Readonly<Record<BridgeRequestOutcome, number>>;
  readonly lastError: { readonly code: string; readonly message: string } | undefined;
}
