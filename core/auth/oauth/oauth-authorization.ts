import type { Dispatcher } from 'undici';
import { sleep } from '../../io/sleep.js';
import { CompanionError, isCompanionError } from '../../../common/errors/companion-error.js';
import type { Installation } from '../../../common/models/installation.js';
import { silentLogger, type Logger } from '../../logging/logger.js';
import { createDispatcher } from '../../net/network-factory.js';
import type { SecretKey, SecretStore } from '../../secrets/secret-store.js';
import type { Authorization } from '../authorization.js';
import { instanceNetworkOptions, type DispatcherFactory } from './oauth-network.js';
import {
  needsRefresh,
  parseTokenSet,
  REFRESH_MARGIN_MS,
  serializeTokenSet,
  type OAuthTokenSet,
} from './oauth-token-set.js';
import { refreshTokens } from './token-client.js';

export interface OAuthAuthorizationOptions {
  /** The dispatcher to BDC, shared with the REST client; built on first use when absent. */
  readonly dispatcher?: Dispatcher;
  /** The product's network factory by default. */
  readonly createDispatcher?: DispatcherFactory;
  /** Proxy variables for a dispatcher built here (core never reads `process.env` itself). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly refreshMarginMs?: number;
}

export function oauthTokensKey(installationId: string): SecretKey {
  return { installationId, kind: 'oauth-tokens' };
}

export function oauthClientSecretKey(installationId: string): SecretKey {
  return { installationId, kind: 'oauth-client-secret' };
}

/** How long to look for the set a concurrent refresher is about to save (total ≈ 1.5 s). */
const RACE_REREAD_WAITS_MS = [0, 100, 400, 1000];

/** Two 401s this close together share one refresh (they carried the same old token). */
const RECENT_REFRESH_MS = 2_000;

/**
 * The OAuth credential of an installation as every authenticated caller uses it (REST client, push
 * engine, relay): `header()` returns a live `Bearer` header, refreshing shortly before expiry;
 * `refresh()` refreshes after a 401.
 *
 * Rotation (BDC deletes the old refresh token on every refresh) is made safe by:
 * - one refresh at a time per authorization (single flight);
 * - re-reading the stored set first, so a set another process rotated is adopted instead of
 *   replaying its dead refresh token (which BDC refuses);
 * - writing the new set, as one secret, before it is used — a crash after the write loses
 *   nothing; a failed write keeps the set in memory and is retried on the next call.
 */
export function createOAuthAuthorization(
  installation: Pick<Installation, 'id' | 'baseUrl' | 'caPems' | 'allowLoopback' | 'auth'>,
  secrets: SecretStore,
  options: OAuthAuthorizationOptions,
): Authorization {
  const auth = installation.auth;
  if (auth.kind !== 'oauth') {
    throw new CompanionError(
      'AUTH_NOT_SIGNED_IN',
      `The installation is not signed in with OAuth (mode: ${auth.kind}).`,
    );
  }
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const margin = options.refreshMarginMs ?? REFRESH_MARGIN_MS;
  const tokensKey = oauthTokensKey(installation.id);
  let dispatcher = options.dispatcher;
  let cached: OAuthTokenSet | undefined;
  let unsaved: OAuthTokenSet | undefined;
  let inFlight: Promise<OAuthTokenSet> | undefined;
  let lastRefreshAt = Number.NEGATIVE_INFINITY;

  function network(): Dispatcher {
    dispatcher ??= (options.createDispatcher ?? createDispatcher)({
      ...instanceNetworkOptions(installation),
      env: options.env,
    });
    return dispatcher;
  }

  async function load(): Promise<OAuthTokenSet> {
    if (unsaved !== undefined) return unsaved;
    const stored = await secrets.get(tokensKey);
    if (stored === undefined) {
      throw new CompanionError(
        'AUTH_NOT_SIGNED_IN',
        'No OAuth tokens are stored for this installation.',
        {
          hint: 'Sign in with `bdc-companion auth oauth <name> --client-id ID --client-secret-stdin`.',
        },
      );
    }
    return parseTokenSet(stored);
  }

  async function persist(set: OAuthTokenSet): Promise<void> {
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        await secrets.set(tokensKey, serializeTokenSet(set));
        unsaved = undefined;
        return;
      } catch (error) {
        if (attempt === 2) {
          // The old refresh token is already dead at BDC: dropping the new set would end the
          // sign-in, so it is kept in memory and the write retried on the next use.
          unsaved = set;
          logger.warn('OAuth tokens refreshed but not saved; will retry', {
            code: isCompanionError(error) ? error.code : 'SECRET_STORE_WRITE_FAILED',
          });
        }
      }
    }
  }

  async function rotate(known: OAuthTokenSet): Promise<OAuthTokenSet> {
    const latest = await load();
    if (latest.refreshToken !== known.refreshToken && !needsRefresh(latest, now(), margin)) {
      cached = latest;
      return latest;
    }
    if (latest.refreshToken === undefined) {
      throw new CompanionError(
        'OAUTH_REFRESH_REJECTED',
        'The stored sign-in has no refresh token.',
      );
    }
    const clientSecret = await secrets.get(oauthClientSecretKey(installation.id));
    if (clientSecret === undefined) {
      throw new CompanionError(
        'OAUTH_CLIENT_SECRET_MISSING',
        'The OAuth client secret is no longer in the secret store, so the token cannot be refreshed.',
      );
    }
    let issued;
    try {
      issued = await refreshTokens(
        {
          baseUrl: installation.baseUrl,
          clientId: latest.clientId,
          clientSecret,
          dispatcher: network(),
        },
        latest.refreshToken,
      );
    } catch (error) {
      if (isCompanionError(error, 'OAUTH_REFRESH_REJECTED')) {
        // Lost a race with another process that rotated the same refresh token: its set is the
        // live one, written moments after its answer arrived — so look again for a little while.
        for (const waitMs of RACE_REREAD_WAITS_MS) {
          const again = await load().catch(() => undefined);
          if (again !== undefined && again.refreshToken !== latest.refreshToken) {
            cached = again;
            return again;
          }
          await sleep(waitMs);
        }
      }
      throw error;
    }
    const issuedAt = now();
    const next: OAuthTokenSet = {
      ...latest,
      accessToken: issued.accessToken,
      refreshToken: issued.refreshToken ?? latest.refreshToken,
      expiresAt: issuedAt + issued.expiresInSeconds * 1000,
      scope: issued.scope === '' ? latest.scope : issued.scope,
      obtainedAt: issuedAt,
    };
    await persist(next);
    cached = next;
    lastRefreshAt = issuedAt;
    logger.info('OAuth access token refreshed', { installation: installation.id });
    return next;
  }

  function singleFlight(known: OAuthTokenSet): Promise<OAuthTokenSet> {
    inFlight ??= rotate(known).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  async function current(): Promise<OAuthTokenSet> {
    cached ??= await load();
    return cached;
  }

  return {
    kind: 'oauth',
    get user(): string {
      return cached?.user ?? auth.user ?? '';
    },
    async header() {
      if (unsaved !== undefined) await persist(unsaved);
      let set = await current();
      if (needsRefresh(set, now(), margin)) set = await singleFlight(set);
      return `Bearer ${set.accessToken}`;
    },
    async refresh() {
      if (inFlight !== undefined) {
        await inFlight;
        return true;
      }
      if (now() - lastRefreshAt < RECENT_REFRESH_MS) return true;
      await singleFlight(await current());
      return true;
    },
  };
}
