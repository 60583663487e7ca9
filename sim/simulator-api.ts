/**
 * The simulator's public handle, as tests, benchmarks and `bdc-companion sim` use it.
 * Implemented by `startSimulator` in `sim/index.ts`.
 */
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
  addUser(user: Partial<SimUser> & { readonly name: string }): SimUser;
  /** Creates a PAT (`BBDC-…`, may contain `/` and `+`) with the given permissions. */
  addToken(
    token: Omit<SimToken, 'token'> & { readonly project?: string; readonly repo?: string },
  ): string;
  addProject(key: string, name?: string): void;
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
