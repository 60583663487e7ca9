import type { NetworkOverview, NetworkUpdate } from '../models/network.js';
import type {
  AppInfo,
  BridgeOverview,
  BridgePolicyUpdate,
  BridgePolicyView,
  BridgeTokenRequest,
  AppSettings,
  AppSettingsUpdate,
  AuthStatus,
  CaCheckRequest,
  CaCheckResult,
  CompanionEvent,
  Delivery,
  DeliveryQuery,
  DiagnosticsReport,
  HistoryPage,
  HistoryQuery,
  Installation,
  InstallationDraft,
  InstallationRef,
  InstallationUpdate,
  OAuthFlowRef,
  OAuthFlowState,
  OAuthRedirectUris,
  OAuthStart,
  OAuthStartRequest,
  PatSignInRequest,
  PatSignInResult,
  ProbeReport,
  ProbeRequest,
  ProjectRef,
  PushOutcome,
  RelayEndpoint,
  RelayStatus,
  WatchConfigRequest,
  ReplayRequest,
  RepositoryQuery,
  RepositoryRef,
  TestPushRequest,
  WebhookRegisterRequest,
  WebhookRegistration,
  WebhookRemoval,
  WebhookSecretChange,
  WebhookSecretRequest,
  WebhookUnregisterRequest,
} from './models.js';

/**
 * Every operation the UI can ask of the engine. Each takes at most one plain request object and
 * returns a Promise, so the same contract travels over Electron IPC and over HTTP for `serve`
 * (anchors-style §8.3). Failures reject with a `CompanionError` carrying a catalogued code.
 *
 * Secrets only flow inward: `signInWithPat.token` and `startOAuth.clientSecret` are stored in the
 * secret store and no result ever contains them.
 */
export interface CompanionOperations {
  getAppInfo(): Promise<AppInfo>;

  /** Runs the step-by-step probe; emits one `probe-step` event per step as it finishes. */
  probe(request: ProbeRequest): Promise<ProbeReport>;
  /** Validates a pasted CA PEM (≤ 64 KiB); rejects with TRUST_* codes. */
  checkCa(request: CaCheckRequest): Promise<CaCheckResult>;

  listInstallations(): Promise<readonly Installation[]>;
  /** Probes first and refuses what the probe refuses. */
  addInstallation(request: InstallationDraft): Promise<Installation>;
  updateInstallation(request: InstallationUpdate): Promise<Installation>;
  /** Also deletes the installation's secrets. */
  removeInstallation(request: InstallationRef): Promise<void>;

  getAuthStatus(request: InstallationRef): Promise<AuthStatus>;
  signInWithPat(request: PatSignInRequest): Promise<PatSignInResult>;
  getOAuthRedirectUris(request: InstallationRef): Promise<OAuthRedirectUris>;
  /** Builds the authorize URL (PKCE S256 + state) and, on desktop, opens the system browser. */
  startOAuth(request: OAuthStartRequest): Promise<OAuthStart>;
  /** Resolves when the flow has finished (signed in or failed); also emitted as `oauth` events. */
  awaitOAuth(request: OAuthFlowRef): Promise<OAuthFlowState>;
  cancelOAuth(request: OAuthFlowRef): Promise<void>;
  signOut(request: InstallationRef): Promise<void>;

  testPush(request: TestPushRequest): Promise<PushOutcome>;
  queryHistory(request: HistoryQuery): Promise<HistoryPage>;

  getRelayStatus(request: InstallationRef): Promise<RelayStatus>;
  getRelayEndpoint(request: InstallationRef): Promise<RelayEndpoint>;
  startRelay(request: InstallationRef): Promise<RelayStatus>;
  stopRelay(request: InstallationRef): Promise<RelayStatus>;
  listDeliveries(request: DeliveryQuery): Promise<readonly Delivery[]>;
  replayDeliveries(request: ReplayRequest): Promise<{ readonly replayed: number }>;
  /**
   * Stores what watch mode watches (or turns it off); a relay this process runs starts or stops
   * its watch at once, without a restart.
   */
  configureWatch(request: WatchConfigRequest): Promise<RelayStatus>;

  listProjects(request: InstallationRef): Promise<readonly ProjectRef[]>;
  listRepositories(request: RepositoryQuery): Promise<readonly RepositoryRef[]>;
  registerWebhooks(request: WebhookRegisterRequest): Promise<WebhookRegistration>;
  /**
   * Deletes the "Ankra" webhooks on these repositories from BDC and forgets them: the way back
   * when the relay URL just registered turned out unreachable from BDC.
   */
  unregisterWebhooks(request: WebhookUnregisterRequest): Promise<WebhookRemoval>;
  /** Stores the webhook secret the platform gave (BDC signs with it, the relay verifies it). */
  /**
   * Stores the webhook secret the Ankra platform issued and puts it on every BDC webhook the
   * companion registered; WEBHOOK_SECRET_NOT_APPLIED names those BDC did not switch.
   */
  setWebhookSecret(request: WebhookSecretRequest): Promise<WebhookSecretChange>;
  /**
   * Rotates to the new secret the platform issued: stored (the previous one stays accepted for a
   * grace period) and put on every registered BDC webhook; returns how many were updated.
   */
  rotateWebhookSecret(request: WebhookSecretRequest): Promise<{ readonly updated: number }>;

  /** The platform bridge (`docs/bridge.md`): liveness, last status, policy. */
  getBridgeStatus(request: InstallationRef): Promise<BridgeOverview>;
  /** Adds or removes push rules and read projects; nothing is saved when one is malformed. */
  updateBridgePolicy(request: BridgePolicyUpdate): Promise<BridgePolicyView>;
  /** Stores the platform-issued bridge token in the secret store (never shown again). */
  setBridgeToken(request: BridgeTokenRequest): Promise<void>;

  getSettings(): Promise<AppSettings>;
  updateSettings(request: AppSettingsUpdate): Promise<AppSettings>;
  /** The Network section: the proxy setting and the route each connection takes (docs/network.md). */
  getNetwork(): Promise<NetworkOverview>;
  /** Saves the proxy setting (credentials to the secret store) and answers the new routes. */
  updateNetwork(request: NetworkUpdate): Promise<NetworkOverview>;

  runDiagnostics(): Promise<DiagnosticsReport>;
}

export type OperationName = keyof CompanionOperations;

export type OperationRequest<K extends OperationName> = Parameters<CompanionOperations[K]>;

export type OperationResult<K extends OperationName> = Awaited<ReturnType<CompanionOperations[K]>>;

export type EventListener = (event: CompanionEvent) => void;

export type Unsubscribe = () => void;

/** The contract the renderer programs against: the operations plus one event stream. */
export interface CompanionApi extends CompanionOperations {
  onEvent(listener: EventListener): Unsubscribe;
}
