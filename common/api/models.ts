import type { ErrorShape } from '../errors/error-shape.js';
import type {
  InstallationDraft,
  InstallationRef,
  InstallationUpdate,
} from './installation-requests.js';
import type { BridgeStatus } from '../models/bridge.js';
import type { DeliveryMode, WatchStatus } from '../models/watch.js';
import type { Installation } from '../models/installation.js';
import type { PushHistoryEntry, PushProgress } from '../models/push.js';
import type {
  DeliveryAttempt,
  DeliveryState,
  RelayDelivery,
  RelayLiveness,
  RelayStatus as RelayQueueStatus,
} from '../models/relay.js';

/**
 * The plain, readonly data that crosses the UI boundary (IPC or HTTP). Nothing here ever holds a
 * secret: PATs, client secrets and webhook secrets go into operations and never come back out.
 */

// ---- app -------------------------------------------------------------------------------------

export type Transport = 'electron' | 'http';

export interface SecretStoreInfo {
  readonly backend: 'keytar' | 'credentials-dir' | 'encrypted-file' | 'memory';
  readonly persistent: boolean;
  readonly osProtected: boolean;
}

export interface AppInfo {
  readonly version: string;
  readonly transport: Transport;
  /** The operations this build can perform; the UI hides what is missing instead of faking it. */
  readonly capabilities: readonly string[];
  readonly secretStore: SecretStoreInfo | undefined;
  /** Where the OAuth callback arrives in this transport (`custom` on desktop, `localhost` headless). */
  readonly oauthRedirect: 'custom' | 'localhost';
  /**
   * Present when the settings file was corrupt on this start: it was moved aside (the path is in
   * `data.preservedAs`) and the app runs on empty settings. The UI shows it as a banner.
   */
  readonly settingsRecovered?: ErrorShape;
}

// ---- probe and trust -------------------------------------------------------------------------

export type ProbeStepName = 'url' | 'dns' | 'address' | 'tcp' | 'tls' | 'http' | 'version';

export interface ProbeRequest {
  readonly url: string;
  /** Extra CAs to trust for this probe only (the "will this fix it" re-probe). */
  readonly caPems?: readonly string[];
  readonly allowLoopback?: boolean;
  /** Let an intermediate-only CA in `caPems` anchor the chain (the explicit choice). */
  readonly allowPartialChain?: boolean;
  /** Chosen by the caller; every `probe-step` event of this run carries it. */
  readonly runId?: string;
}

export interface ProbeStep {
  readonly name: ProbeStepName;
  readonly ok: boolean;
  readonly ms: number;
  /** One line for people: the resolved address, the TLS version, the product name. */
  readonly detail?: string;
  readonly error?: ErrorShape;
}

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly sha256: string;
  readonly notBefore?: string;
  readonly notAfter: string;
  readonly ca: boolean;
  readonly selfSigned: boolean;
}

export interface ProbeReport {
  readonly url: string;
  readonly ok: boolean;
  readonly steps: readonly ProbeStep[];
  readonly version: string | undefined;
  readonly supported: boolean;
  readonly addressClass: string | undefined;
  readonly tls:
    { readonly trusted: boolean; readonly chain: readonly CertificateSummary[] } | undefined;
  /** The first failure, with its code and hint. */
  readonly error: ErrorShape | undefined;
}

export interface CaCheckRequest {
  readonly pem: string;
  /** The explicit "trust this intermediate alone" choice (otherwise TRUST_INTERMEDIATE_ONLY). */
  readonly allowIntermediate?: boolean;
}

export interface CaCheckResult {
  readonly certificates: readonly CertificateSummary[];
  readonly warnings: readonly string[];
}

// ---- installations ---------------------------------------------------------------------------

export type { InstallationDraft, InstallationRef, InstallationUpdate };

export type { Installation };

// ---- authentication --------------------------------------------------------------------------

export interface PatSignInRequest extends InstallationRef {
  /** Goes in, is verified and stored in the secret store; never returned. */
  readonly token: string;
  readonly requireProjects?: readonly string[];
}

export interface SignedInUser {
  readonly name: string;
  readonly displayName: string | undefined;
}

export interface PatSignInResult {
  readonly user: SignedInUser;
  /** How many projects the token can read. */
  readonly projects: number;
  /** Their keys, as BDC listed them. */
  readonly projectKeys: readonly string[];
}

export type AuthStatus =
  | { readonly kind: 'none'; readonly secretStore: SecretStoreInfo | undefined }
  | {
      readonly kind: 'pat';
      readonly user: string;
      readonly verifiedAt: string;
      readonly secretStore: SecretStoreInfo | undefined;
    }
  | {
      readonly kind: 'oauth';
      readonly user: string | undefined;
      readonly clientId: string;
      readonly expiresAt: string | undefined;
      readonly secretStore: SecretStoreInfo | undefined;
    };

export interface OAuthRedirectUris {
  /** Every redirect URI to register in BDC's incoming Application Link, exactly. */
  readonly uris: readonly string[];
  /** The one this transport will use. */
  readonly active: string;
}

export interface OAuthStartRequest extends InstallationRef {
  readonly clientId: string;
  /** Goes in, is stored in the secret store; never returned. */
  readonly clientSecret: string;
  /**
   * Also request REPO_ADMIN, which registering webhooks needs (common/auth/permission-needs.ts);
   * without it the companion asks only for what pushing needs.
   */
  readonly withWebhooks?: boolean;
}

export interface OAuthStart {
  readonly flowId: string;
  readonly redirectUri: string;
  /** Built by the companion on the installation's origin; the desktop opens it itself. */
  readonly authorizeUrl: string;
  /** True when the companion opened the system browser; otherwise the UI offers a link. */
  readonly opened: boolean;
}

export interface OAuthFlowRef {
  readonly flowId: string;
}

export type OAuthFlowState =
  | { readonly kind: 'waiting'; readonly flowId: string }
  | { readonly kind: 'signed-in'; readonly flowId: string; readonly user: SignedInUser }
  | { readonly kind: 'failed'; readonly flowId: string; readonly error: ErrorShape };

// ---- push and history ------------------------------------------------------------------------

export type PushEngineChoice = 'auto' | 'isomorphic-git' | 'git';

export interface TestPushRequest extends InstallationRef {
  /** `PROJECT/slug` */
  readonly repo: string;
  readonly branch: string;
  readonly message: string;
  readonly author?: { readonly name: string; readonly email: string };
  /** Text files to add or modify. */
  readonly put: readonly { readonly path: string; readonly content: string }[];
  readonly delete: readonly string[];
  readonly engine?: PushEngineChoice;
  /** Chosen by the caller; every `push-progress` event of this push carries it. */
  readonly runId?: string;
}

export type PushOutcome =
  | {
      readonly kind: 'noop';
      readonly parent: string;
      readonly engine: string;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'pushed';
      readonly commit: string;
      readonly parent: string | undefined;
      readonly engine: string;
      readonly attempts: number;
      readonly durationMs: number;
      readonly changed: number;
      readonly commitUrl: string | undefined;
    };

export interface HistoryQuery {
  readonly installation?: string;
  readonly repo?: string;
  readonly result?: 'ok' | 'failed';
  readonly limit?: number;
}

/** A recorded push (the push capability's model) with a link to the commit on BDC. */
export interface HistoryEntry extends PushHistoryEntry {
  readonly commitUrl: string | undefined;
}

export interface HistoryPage {
  readonly entries: readonly HistoryEntry[];
}

// ---- relay and webhooks ----------------------------------------------------------------------

/**
 * The relay's end-to-end status (the relay capability's model) plus whether this process runs it.
 */
export interface RelayStatus extends RelayQueueStatus {
  /** This process runs the relay (the desktop app or `serve`); `liveness` tells about others. */
  readonly running: boolean;
  /** `host:port` the relay of this process listens on. */
  readonly listen: string | undefined;
  /** Every process running it (from their heartbeats), and how the last run ended if none does. */
  readonly liveness: RelayLiveness;
  /** Which way change events reach the platform (webhooks, watch, both, none) and why. */
  readonly mode: DeliveryMode;
  readonly watch: RelayWatchStatus;
}

/** Watch mode's figures, and whether this process's relay runs the watch now. */
export interface RelayWatchStatus extends WatchStatus {
  readonly running: boolean;
}

/** Watch mode for an installation: what to watch and how often, or off (`relay watch`). */
export interface WatchConfigRequest extends InstallationRef {
  readonly repositories?: readonly string[];
  readonly projects?: readonly string[];
  readonly intervalSeconds?: number;
  readonly off?: boolean;
}

export type { DeliveryState, RelayDelivery, DeliveryAttempt };

/** A delivery with the log of its attempts, as the relay view lists them. */
export interface Delivery extends RelayDelivery {
  readonly attemptLog: readonly DeliveryAttempt[];
}

export interface DeliveryQuery extends InstallationRef {
  readonly state?: DeliveryState;
  readonly limit?: number;
}

export interface ReplayRequest extends InstallationRef {
  readonly ids?: readonly number[];
  /** Replay every dead-lettered delivery. */
  readonly dead?: boolean;
}

export interface RelayEndpoint {
  readonly listen: string;
  /** The URL BDC should call: `{publicUrl}/webhooks/bitbucket-dc/{platform installation id}`. */
  readonly callbackUrl: string | undefined;
  /** Whether a webhook secret is stored; the secret itself never leaves the companion. */
  readonly secretConfigured: boolean;
  /**
   * Why BDC may not reach `callbackUrl` (loopback, a VPN client's address, plain http, …);
   * warnings only, since only BDC's own test call proves reachability.
   */
  readonly warnings: readonly string[];
}

export interface ProjectRef {
  readonly key: string;
  readonly name: string;
}

export interface RepositoryRef {
  readonly project: string;
  readonly slug: string;
  readonly name: string;
}

export interface RepositoryQuery extends InstallationRef {
  readonly project?: string;
}

export interface WebhookRegisterRequest extends InstallationRef {
  /** `PROJECT/slug` */
  readonly repos: readonly string[];
  readonly url: string;
}

export interface RegisteredWebhook {
  /** `PROJECT/slug` */
  readonly target: string;
  readonly webhookId: number;
  readonly action: 'created' | 'updated';
  /** BDC's own test call: did its `diagnostics:ping` reach the relay URL? */
  readonly test: {
    readonly reached: boolean;
    readonly status: number | undefined;
    readonly error: string | undefined;
  };
}

export interface WebhookRegistration {
  readonly url: string;
  readonly webhooks: readonly RegisteredWebhook[];
  /** The relay stored BDC's test delivery: the path BDC → relay works end to end. */
  readonly relayRecordedPing: boolean;
  /** Why BDC may not reach the URL (see `RelayEndpoint.warnings`). */
  readonly warnings: readonly string[];
}

export interface WebhookUnregisterRequest extends InstallationRef {
  /** `PROJECT/slug` */
  readonly repos: readonly string[];
}

export interface WebhookRemoval {
  readonly removed: readonly {
    /** `PROJECT/slug` */
    readonly target: string;
    readonly webhookId: number;
    /** `already-gone`: BDC no longer had it. */
    readonly bdc: 'deleted' | 'already-gone';
  }[];
}

export interface WebhookSecretRequest extends InstallationRef {
  /** The secret the platform shows for this installation; stored, never returned. */
  readonly secret: string;
}

// ---- settings and diagnostics ----------------------------------------------------------------

export interface AppSettings {
  /** Clone-cache entries expire this long after their last use. */
  readonly cacheExpiryMinutes: number;
  readonly cacheMaxGiB: number;
  /** Repositories larger than this are pushed with the git CLI instead of isomorphic-git. */
  readonly fallbackThresholdMb: number;
  /** Where the clone cache lives (the OS cache folder unless set). */
  readonly cacheDirectory: string | undefined;
  /**
   * The proxy every connection uses, read from the environment (HTTPS_PROXY, NO_PROXY) so the
   * desktop, the daemon and git agree. Credentials in the proxy URL are never shown.
   */
  readonly proxy: { readonly httpsProxy: string | undefined; readonly noProxy: string | undefined };
}

export interface AppSettingsUpdate {
  readonly cacheExpiryMinutes?: number;
  readonly cacheMaxGiB?: number;
  readonly fallbackThresholdMb?: number;
}

export interface DiagnosticsItem {
  readonly label: string;
  readonly value: string;
  readonly ok: boolean | undefined;
}

export interface DiagnosticsReport {
  readonly generatedAt: string;
  /**
   * The whole redacted bundle, as `diagnose --out` writes it, for the view's Save and Copy: the
   * page saves it through the browser, so no process opens a path the page names.
   */
  readonly bundle: { readonly fileName: string; readonly text: string };
  readonly sections: readonly {
    readonly title: string;
    readonly items: readonly DiagnosticsItem[];
  }[];
}

// ---- events ----------------------------------------------------------------------------------

/** Everything the UI can subscribe to, on one stream (IPC channel or SSE). */
export type CompanionEvent =
  | { readonly kind: 'probe-step'; readonly runId: string; readonly step: ProbeStep }
  | { readonly kind: 'oauth'; readonly state: OAuthFlowState }
  | { readonly kind: 'relay-status'; readonly status: RelayStatus }
  | { readonly kind: 'delivery'; readonly delivery: Delivery }
  | { readonly kind: 'history'; readonly entry: HistoryEntry }
  /** A test push's phase and counts (lock, fetch, build, push, retry), for a live progress bar. */
  | { readonly kind: 'push-progress'; readonly runId: string; readonly progress: PushProgress }
  | { readonly kind: 'installations-changed' }
  /** A bridge run by this process changed state (connecting, connected, refused…). */
  | {
      readonly kind: 'bridge-status';
      readonly installationId: string;
      readonly status: BridgeStatus;
    };

export type CompanionEventKind = CompanionEvent['kind'];

/** The Bridge view: whether a bridge runs anywhere, its last status, the policy in force. */
export interface BridgeOverview {
  readonly running: boolean;
  /** The status the running (or last) bridge process recorded; undefined when none ever ran. */
  readonly status: BridgeStatus | undefined;
  readonly lastBeatAt: string | undefined;
  readonly tokenConfigured: boolean;
  readonly policy: BridgePolicyView;
}

export interface BridgePolicyView {
  readonly read: readonly { readonly name: string; readonly patterns: readonly string[] }[];
  readonly readProjects: readonly string[];
  readonly push: readonly string[];
}

export interface BridgePolicyUpdate {
  readonly installation: string;
  readonly allowPush?: readonly string[];
  readonly denyPush?: readonly string[];
  readonly readProjects?: readonly string[];
  readonly allProjects?: boolean;
}

export interface BridgeTokenRequest {
  readonly installation: string;
  readonly token: string;
}

// ---- the webhook secret --------------------------------------------------------------------

/** A BDC webhook the companion registered that now signs with the new secret. */
export interface WebhookSecretSwitched {
  /** `PROJECT/slug`, or `project KEY`. */
  readonly target: string;
  readonly webhookId: number;
  /** `updated` in place, or `re-added` (created anew, then the old one deleted). */
  readonly method: 'updated' | 're-added';
}

/**
 * The outcome of giving the companion the platform's webhook secret (docs/relay-and-services.md,
 * "Who issues the webhook secret"): stored, and every webhook the companion registered switched
 * to it. A webhook BDC did not switch is an error (WEBHOOK_SECRET_NOT_APPLIED) whose data is
 * this shape too, with the manual steps per webhook.
 */
export interface WebhookSecretChange {
  readonly switched: readonly WebhookSecretSwitched[];
  /** Until when the relay also accepts the previous secret; absent when there was none. */
  readonly previousAcceptedUntil: string | undefined;
}
