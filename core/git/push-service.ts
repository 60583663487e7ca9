import type { Database } from 'better-sqlite3';
import type { Installation } from '../../common/models/installation.js';
import type {
  PushAuthor,
  PushHistoryPage,
  PushHistoryQuery,
  PushOrigin,
  PushProgress,
  PushRequest,
  PushResult,
} from '../../common/models/push.js';
import type { Authorization } from '../auth/authorization.js';
import type { BdcClient } from '../bdc/bdc-client.js';
import { PushHistory } from '../history/push-history.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { BackoffOptions } from './backoff.js';
import { CloneCache } from './clone-cache.js';
import type { PushConfig } from './push-config.js';
import { createIsoRunner, type IsoAttemptRunner } from './iso-runner.js';
import type { PushRecord } from './push-operation.js';
import { remoteRepositorySize } from './remote-repository-size.js';

export interface PushServiceOptions {
  readonly database: Database;
  /** Proxy variables and the git CLI's parent environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Cache folder, expiry, size cap and engine threshold, from `resolvePushConfig`. */
  readonly config: PushConfig;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly backoff?: BackoffOptions;
  readonly isoRunner?: IsoAttemptRunner;
  /** Called after each push is recorded (the UI's history stream). */
  readonly onRecorded?: (id: number, record: PushRecord) => void;
}

export interface PushCallOptions {
  readonly onProgress?: (progress: PushProgress) => void;
  readonly signal?: AbortSignal;
  /** Recorded in the history row (`source: bridge` and the push id for the bridge). */
  readonly origin?: PushOrigin;
}

/** The installation's credential and a REST client over the same pool (`openSignedInClient`). */
export interface SignedInBdc {
  readonly authorization: Authorization;
  readonly client: Pick<BdcClient, 'getJson'>;
}

export interface PushService {
  push(
    installation: Installation,
    signedIn: SignedInBdc,
    request: PushRequest,
    options?: PushCallOptions,
  ): Promise<PushResult>;
  history(query: PushHistoryQuery): PushHistoryPage;
  readonly cache: CloneCache;
  close(): Promise<void>;
}

/**
 * The push capability as a long-lived service (one per companion process): one clone cache, one
 * isomorphic-git worker, the history. Each push is recorded, whether it landed or not.
 */
export function createPushService(options: PushServiceOptions): PushService {
  const { env, config } = options;
  const logger = options.logger ?? silentLogger;
  const cache = new CloneCache({
    root: config.cacheRoot,
    ttlMs: config.cacheTtlMs,
    maxBytes: config.cacheMaxBytes,
    logger: logger.child({ component: 'clone-cache' }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const isoRunner = options.isoRunner ?? createIsoRunner();
  const history = new PushHistory(options.database);
  const authors = new Map<string, PushAuthor>();

  /**
   * The signed-in user as BDC knows them (display name and e-mail), for the committer and the
   * default author: BDC's "Verify Committer" hook refuses commits whose e-mail is not the user's.
   */
  async function signedInAuthor(
    installation: Installation,
    signedIn: SignedInBdc,
  ): Promise<PushAuthor | undefined> {
    const user = signedIn.authorization.user;
    const key = `${installation.id}\u0000${user}`;
    const known = authors.get(key);
    if (known !== undefined) return known;
    try {
      const found = await signedIn.client.getJson<{
        name?: string;
        displayName?: string;
        emailAddress?: string;
      }>(`/rest/api/1.0/users/${encodeURIComponent(user)}`);
      if (typeof found.emailAddress !== 'string' || found.emailAddress === '') return undefined;
      const author = {
        name: found.displayName ?? found.name ?? user,
        email: found.emailAddress,
      };
      authors.set(key, author);
      return author;
    } catch (error) {
      logger.warn('signed-in user not found; committing under the user name', {
        code: (error as { code?: string }).code,
      });
      return undefined;
    }
  }

  return {
    cache,
    async push(installation, signedIn, request, call = {}) {
      // Looked up while the push takes its lock; never rejects (undefined when unknown).
      const author = signedInAuthor(installation, signedIn);
      // Loaded with the first push: a daemon that has pushed nothing holds no engine and no HTTP
      // client (bench/RESULTS.md, idle daemon).
      const { push } = await import('./push-operation.js');
      return push(installation, request, {
        authorization: signedIn.authorization,
        signedInAuthor: author,
        // Access tokens are refused outside /rest and /scm, and must not be sent there
        // (docs/push-engine-choice.md): the size is read for OAuth sign-ins only.
        ...(signedIn.authorization.kind === 'oauth'
          ? {
              remoteSizeBytes: (repo: string) =>
                remoteRepositorySize(signedIn.client, repo, logger),
            }
          : {}),
        cache,
        isoRunner,
        env,
        config,
        logger,
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
        ...(call.onProgress === undefined ? {} : { onProgress: call.onProgress }),
        ...(call.signal === undefined ? {} : { signal: call.signal }),
        onFinished: (record) => {
          try {
            const id = history.record(record, call.origin);
            options.onRecorded?.(id, record);
          } catch (error) {
            logger.error('push history write failed', { error: (error as Error).message });
          }
        },
      });
    },
    history: (query) => history.query(query),
    close: () => isoRunner.close(),
  };
}
