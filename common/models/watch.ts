import * as Type from 'typebox/type';
import { type Static } from 'typebox';
import type { Immutable } from './immutable.js';

/**
 * Watch mode: for a BDC that cannot reach the relay (an admin's laptop on a VPN), the companion
 * reads the refs of the watched repositories itself and sends the platform the `repo:refs_changed`
 * event BDC would have sent. What to watch is an installation setting; what was last seen, and
 * each poll's outcome, live in the companion database.
 */

/** Seconds between two polls when the admin names none. */
export const DEFAULT_WATCH_INTERVAL_SECONDS = 15;
/** The shortest interval an admin may choose: below it the polling load on BDC is not worth it. */
export const MIN_WATCH_INTERVAL_SECONDS = 5;
/** The longest interval accepted (an hour): beyond it the events are too late to be useful. */
export const MAX_WATCH_INTERVAL_SECONDS = 3600;

/** A project key or repository slug as it appears in a BDC URL path. */
const PATH_PART = '[^/\\s?#%\\\\]{1,255}';

export const WatchSettingsSchema = Type.Object(
  {
    /** Repositories as `PROJECT/slug`. */
    repositories: Type.Array(
      Type.String({ maxLength: 511, pattern: `^${PATH_PART}/${PATH_PART}$` }),
      {
        maxItems: 10_000,
      },
    ),
    /** Project keys: every repository of the project, re-listed as repositories come and go. */
    projects: Type.Array(Type.String({ maxLength: 255, pattern: `^${PATH_PART}$` }), {
      maxItems: 1_000,
    }),
    intervalSeconds: Type.Integer({
      minimum: MIN_WATCH_INTERVAL_SECONDS,
      maximum: MAX_WATCH_INTERVAL_SECONDS,
    }),
  },
  { additionalProperties: false },
);

export type WatchSettings = Immutable<Static<typeof WatchSettingsSchema>>;

/**
 * Which way change events reach the platform, and the evidence for it.
 * `webhooks`: BDC delivers to the relay. `watch`: the companion polls. `both`: both run and an
 * event seen by both is sent once. `none`: neither is set up.
 */
export type DeliveryModeKind = 'webhooks' | 'watch' | 'both' | 'none';

export interface DeliveryMode {
  readonly mode: DeliveryModeKind;
  /** The reason in words, for the CLI and the UI. */
  readonly reason: string;
  /** True when the evidence says BDC cannot reach the relay and watch mode is not on. */
  readonly suggestWatch: boolean;
}

/** BDC's last test of a registered webhook: did its ping reach the relay? */
export interface ReachEvidence {
  readonly testedAt: string;
  readonly reached: boolean;
  /** BDC's words when it could not reach the relay (refused, timed out, certificate…). */
  readonly reason: string | undefined;
}

export interface WatchStatus {
  readonly enabled: boolean;
  readonly intervalSeconds: number | undefined;
  /** Repositories currently watched (projects expanded at the last listing). */
  readonly watched: number;
  readonly lastPollAt: string | undefined;
  /** Events the watch queued in total. */
  readonly events: number;
  /** Changes not sent because BDC's webhook had already delivered them (and the reverse). */
  readonly deduplicated: number;
  readonly lastError: { readonly at: string; readonly message: string } | undefined;
}
