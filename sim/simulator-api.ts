/**
 * The simulator's public handle, as tests, benchmarks and `bdc-companion sim` use it.
 * Implemented by `startSimulator` in `sim/index.ts`.
 */
import type { SimRequestRecord } from './http/request-log.js';
import type { BridgeEndpoint } from './platform/bridge-endpoint.js';

export type SimKeyType = 'rsa' | 'ec';
export type SimCertificateMode = 'valid' | 'expired' | 'wrong-host';
export type ProjectPermission = 'PROJECT_READ' | 'PROJECT_WRITE' | 'PROJECT_ADMIN';
export type RepoPermission = 'REPO_READ' | 'REPO_WRITE' | 'REPO_ADMIN';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. Always bound to 127.0.0.1. */
  readonly port?: number;
  /** BDC version reported by application-properties; default '9.4.22'. */
  readonly version?: string;
  /** e.g. '/bitbucket'; default '' (no context path). */
  readonly contextPath?: string;
  readonly keyType?: SimKeyType;
  /** Also serve the root CA in the chain (real servers sometimes do). */
  readonly serveRoot?: boolean;
  readonly certificate?: SimCertificateMode;
  /** 'skewed' makes nextPageStart differ from start + limit, as BDC may. */
  readonly paging?: 'normal' | 'skewed';
  /** Folder for bare repositories and PKI files; a temp folder by default. */
  readonly dataDir?: string;
  /** Injectable clock (ms since epoch) for OAuth lifetimes and webhook timestamps. */
  readonly now?: () => number;
  /** Start the platform stand-in too (default true). */
  readonly platform?: boolean;
  /**
   * Serve `{base}/projects/{KEY}/repos/{slug}/sizes` (default true); false answers it 404, as a
   * server without that resource (or a proxy that blocks it) would.
   */
  readonly repositorySizes?: boolean;
  /** Seed data (users, tokens, projects, repositories): an object or a JSON/YAML file path. */
  readonly seed?: string | SimSeed;
  /** Webhook request timeout (BDC's default is about 10 s). */
  readonly webhookTimeoutMs?: number;
  /** Webhook circuit breaker tuning; BDC's defaults: 5 failures, 10 s, ×2, max 10 h. */
  readonly webhookBreaker?: {
    readonly triggerCount: number;
    readonly initialMs: number;
    readonly exponent: number;
    readonly maxMs: number;
  };
  /**
   * BDC's optional rate limiting: a token bucket per user (true = BDC's defaults, 60 tokens
   * refilled at 5/s); an empty bucket answers 429 with Retry-After. Off by default, as in BDC.
   */
  readonly rateLimit?: boolean | { readonly bucketSize: number; readonly refillPerSecond: number };
  /** The platform stand-in's ready installation (random by default). */
  readonly platformInstallationId?: string;
  readonly webhookSecret?: string;
}

/** Seed file contents (JSON or YAML). Every part is optional. */
export interface SimSeed {
  readonly users?: readonly (Partial<SimUser> & { readonly name: string })[];
  readonly tokens?: readonly (Omit<SimToken, 'token'> & {
    readonly token?: string;
    readonly project?: string;
    readonly repo?: string;
  })[];
  readonly projects?: readonly {
    readonly key: string;
    readonly name?: string;
    readonly description?: string;
    readonly public?: boolean;
  }[];
  readonly repositories?: readonly {
    readonly project: string;
    readonly slug: string;
    readonly description?: string;
    /** Generated content; omitted = an empty repository. */
    readonly files?: number;
    readonly bytes?: number;
    readonly pullRequestOnly?: readonly string[];
  }[];
}

export interface SeedResult {
  /** Tokens the seed asked for without a value, with the generated value. */
  readonly tokens: readonly { readonly user: string; readonly token: string }[];
}

/** One webhook delivery attempt (or circuit-breaker skip) made by the simulated BDC. */
export interface SimWebhookInvocation {
  readonly id: number;
  readonly webhookId: number;
  readonly eventKey: string;
  readonly requestId: string;
  readonly url: string;
  readonly outcome: 'SUCCESS' | 'FAILURE' | 'ERROR' | 'SKIPPED';
  readonly status?: number;
  readonly error?: string;
  readonly start: number;
  readonly finish: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface SimWebhooks {
  invocations(): readonly SimWebhookInvocation[];
  /** Resolves when every delivery started so far has finished. */
  idle(): Promise<void>;
  /** Trust another CA for deliveries (the platform stand-in's CA is trusted already). */
  trustCa(pem: string): void;
}

export interface SimUser {
  readonly name: string;
  readonly id: number;
  readonly displayName: string;
  readonly emailAddress: string;
}

export interface SimToken {
  readonly user: string;
  readonly token: string;
  readonly projectPermission?: ProjectPermission;
  readonly repoPermission?: RepoPermission;
  /** Epoch ms after which the token no longer authenticates (served as anonymous, like revoked). */
  readonly expiresAt?: number;
}

export interface RunningPlatform {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  readonly caFile: string;
  readonly caPem: string;
  readonly installationId: string;
  readonly webhookSecret: string;
  /** Every delivery received, byte-exact, in arrival order. */
  deliveries(): readonly PlatformDelivery[];
  /** Make the receiver fail: 'ok' | { status } | 'timeout' | { delayMs }. */
  setBehaviour(behaviour: PlatformBehaviour): void;
  /** The bridge side of the platform (`docs/bridge.md`): tokens, test calls, faults. */
  readonly bridge: BridgeEndpoint;
  /** The bridge token issued for the ready installation. */
  readonly bridgeToken: string;
  /** Registers another installation and its webhook secret (and issues it a bridge token). */
  addInstallation(installationId: string, webhookSecret: string): void;
  clearDeliveries(): void;
  /** Resolves once `count` deliveries have arrived (rejects after `timeoutMs`, default 10 s). */
  waitForDeliveries(count: number, timeoutMs?: number): Promise<readonly PlatformDelivery[]>;
  close(): Promise<void>;
}

export type PlatformBehaviour =
  | { readonly kind: 'ok' }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'delay'; readonly delayMs: number };

export interface PlatformDelivery {
  readonly installationId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly signatureValid: boolean;
  readonly duplicate: boolean;
  readonly receivedAt: number;
  /** The HTTP status the stand-in answered (0 while hanging). */
  readonly status: number;
}

export interface RunningSimulator {
  /** Base URL with the context path, no trailing slash: `https://127.0.0.1:PORT/bitbucket`. */
  readonly url: string;
  readonly port: number;
  /** Root CA PEM file: the CA an admin would paste. */
  readonly caFile: string;
  readonly caPem: string;
  readonly intermediatePem: string;
  /** The ready user with a PAT that has PROJECT_ADMIN/REPO_ADMIN on the ready project. */
  readonly user: SimUser;
  readonly pat: string;
  /** The ready project key and repository slug (with content on branch `main`). */
  readonly project: string;
  readonly repo: string;
  readonly oauthClientId: string;
  readonly oauthClientSecret: string;
  readonly platform: RunningPlatform | undefined;
  /** Every request BDC received (admin calls excluded), oldest first. */
  requests(): readonly SimRequestRecord[];
  clearRequests(): void;
  addUser(user: Partial<SimUser> & { readonly name: string }): SimUser;
  /** Creates a PAT (`BBDC-…`, may contain `/` and `+`) with the given permissions. */
  addToken(
    token: Omit<SimToken, 'token'> & { readonly project?: string; readonly repo?: string },
  ): string;
  /** Revokes a PAT: from now on it is an unknown Bearer token (served as anonymous). */
  revokeToken(token: string): void;
  addProject(
    key: string,
    name?: string,
    options?: { readonly public?: boolean; readonly description?: string },
  ): void;
  /** Creates a bare repository, optionally with generated content. */
  addRepository(
    project: string,
    slug: string,
    content?: { readonly files: number; readonly bytes: number },
  ): Promise<void>;
  /** Path of the bare repository on disk (for fsck and log checks in tests). */
  repositoryPath(project: string, slug: string): string;
  /** Pull-request-only restriction: pushes to this branch are refused with BDC's message. */
  restrictBranch(project: string, slug: string, branch: string): void;
  readonly faults: SimFaults;
  /** Folder of the bare repositories, PKI files and the root CA file. */
  readonly dataDir: string;
  readonly webhooks: SimWebhooks;
  /** Applies seed data (same format as `sim --seed FILE`). */
  seed(seed: string | SimSeed): Promise<SeedResult>;
  /** `/status` state; 'STARTING' answers 503. */
  setStatus(state: 'STARTING' | 'FIRST_RUN' | 'RUNNING' | 'MAINTENANCE' | 'ERROR'): void;
  /** Version reported by application-properties from now on. */
  setVersion(version: string): void;
  setPaging(mode: 'normal' | 'skewed'): void;
  /** Turns rate limiting on (true = BDC's defaults) or off (false). */
  setRateLimit(
    settings: boolean | { readonly bucketSize: number; readonly refillPerSecond: number },
  ): void;
  /** Registers another OAuth client (incoming Application Link). */
  addOAuthClient(client: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly redirectUris: readonly string[];
    /** The link's permission (maximum scope ids); every scope when omitted. */
    readonly scopes?: readonly string[];
    readonly name?: string;
  }): void;
  close(): Promise<void>;
}

export interface SimFaults {
  /** Added before every response. */
  latency(ms: number): void;
  /** The next `count` requests (matching `pathPrefix` when given) get this status. */
  failNext(
    count: number,
    status: number,
    options?: { readonly pathPrefix?: string; readonly retryAfterSeconds?: number },
  ): void;
  /** The next `count` connections are reset after the request arrives. */
  resetNext(count: number): void;
  /** TLS handshakes stall (never complete) while on. */
  stallHandshakes(on: boolean): void;
  /** Before the next push to branch is applied, someone else pushes a commit to it. */
  raceNextPush(project: string, slug: string, branch: string): void;
  clear(): void;
}
