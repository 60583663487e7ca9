import type { Dispatcher } from 'undici';
import { CompanionError, toErrorShape } from '../../../common/errors/companion-error.js';
import type { Installation } from '../../../common/models/installation.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { beginAuthorization, callbackBelongs, readCallback } from './authorization-request.js';
import { preflightAuthorization } from './authorize-preflight.js';
import { assertCredentialShape, checkClientCredentials, type ClientCheck } from './client-check.js';
import type { CallbackReceiver } from './callback-receiver.js';
import { oauthClientSecretKey, oauthTokensKey } from './oauth-authorization.js';
import { DEFAULT_OAUTH_SCOPES } from './oauth-redirect.js';
import { serializeTokenSet, type OAuthTokenSet } from './oauth-token-set.js';
import { identifyUser, redeemCode } from './token-client.js';

/** Opens a URL in the user's browser (Electron: `shell.openExternal`; headless: print + xdg-open). */
export type BrowserOpener = (url: string) => Promise<void>;

export interface OAuthSignInOptions {
  readonly installation: Pick<Installation, 'id' | 'baseUrl'>;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly secrets: SecretStore;
  /** The dispatcher for this installation (network factory: CAs, proxy, address policy). */
  readonly dispatcher: Dispatcher;
  readonly scopes?: readonly string[];
  readonly now?: () => number;
}

export interface OAuthSignInResult {
  readonly user: string;
  readonly clientId: string;
  readonly scope: string;
  readonly expiresAt: number;
  readonly redirectUri: string;
}

/** A prepared sign-in: open `authorizationUrl` in the browser, then `complete` with the callback. */
export interface OAuthSignIn {
  readonly authorizationUrl: string;
  readonly redirectUri: string;
  /** Whether Bitbucket confirmed the client id and secret before the browser (client-check.ts). */
  readonly clientCheck: ClientCheck;
  /** True when the callback carries this sign-in's state: only such a callback may end it. */
  belongs(callbackUrl: string): boolean;
  /** Checks state, redeems the code at once, learns the user and stores the secrets. Once. */
  complete(callbackUrl: string): Promise<OAuthSignInResult>;
}

/**
 * Prepares a sign-in (PKCE S256 + state) and checks with Bitbucket that it will accept it, so a
 * wrong client id or unregistered redirect URI is reported here rather than as a dead end in the
 * browser. Nothing is stored until `complete` has a verified token: an earlier sign-in stays intact
 * when this one fails.
 */
export async function prepareOAuthSignIn(options: OAuthSignInOptions): Promise<OAuthSignIn> {
  const now = options.now ?? Date.now;
  assertCredentialShape(options.clientId, options.clientSecret);
  const pending = await beginAuthorization({
    baseUrl: options.installation.baseUrl,
    clientId: options.clientId,
    redirectUri: options.redirectUri,
    scopes: options.scopes ?? DEFAULT_OAUTH_SCOPES,
    now: now(),
  });
  // Everything Bitbucket can answer without a user, before the admin logs in and consents: the
  // client id and redirect URI (authorize page), then the client secret (revoke endpoint).
  await preflightAuthorization(pending, options.dispatcher);
  const clientCheck = await checkClientCredentials({
    baseUrl: options.installation.baseUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    dispatcher: options.dispatcher,
  });
  let used = false;
  return {
    authorizationUrl: pending.authorizationUrl,
    redirectUri: pending.redirectUri,
    clientCheck,
    belongs: (callbackUrl) => callbackBelongs(pending, callbackUrl),
    async complete(callbackUrl) {
      const params = readCallback(pending, callbackUrl);
      if (used) {
        throw new CompanionError(
          'OAUTH_CALLBACK_REPLAYED',
          'This sign-in already received its callback; a code is redeemed only once.',
        );
      }
      used = true;
      const tokens = await redeemCode(
        {
          baseUrl: options.installation.baseUrl,
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          dispatcher: options.dispatcher,
        },
        pending,
        params,
      );
      const user = await identifyUser(
        options.installation.baseUrl,
        tokens.accessToken,
        options.dispatcher,
      );
      const obtainedAt = now();
      const set: OAuthTokenSet = {
        version: 1,
        clientId: options.clientId,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: obtainedAt + tokens.expiresInSeconds * 1000,
        scope: tokens.scope,
        user,
        obtainedAt,
      };
      // The secret first: tokens without the secret that refreshes them would be a dead end.
      await options.secrets.set(
        oauthClientSecretKey(options.installation.id),
        options.clientSecret,
      );
      await options.secrets.set(oauthTokensKey(options.installation.id), serializeTokenSet(set));
      return {
        user,
        clientId: options.clientId,
        scope: set.scope,
        expiresAt: set.expiresAt,
        redirectUri: pending.redirectUri,
      };
    },
  };
}

export interface BrowserSignInOptions extends Omit<OAuthSignInOptions, 'redirectUri'> {
  readonly receiver: CallbackReceiver;
  readonly openBrowser: BrowserOpener;
  /** Told the URL before the browser opens (so headless users can copy it). */
  readonly onAuthorizationUrl?: (url: string) => void;
  readonly signal?: AbortSignal;
  /** How long to wait for the browser to come back; 5 minutes by default. */
  readonly timeoutMs?: number;
}

export const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60 * 1000;

/** The whole browser flow on the OAuth layer (no settings): prepare, then `runBrowserSignIn`. */
export async function signInWithOAuth(options: BrowserSignInOptions): Promise<OAuthSignInResult> {
  try {
    const signIn = await prepareOAuthSignIn({
      ...options,
      redirectUri: options.receiver.redirectUri,
    });
    options.onAuthorizationUrl?.(signIn.authorizationUrl);
    return await runBrowserSignIn(signIn, options);
  } finally {
    await options.receiver.close();
  }
}

/**
 * Opens the browser, waits for the callback that belongs to this sign-in, completes it, and tells
 * the receiver how it ended (the loopback's page says so in words). The one waiting path of the
 * CLI (core/use-cases/sign-in-with-oauth.ts) and of the layer's own tests.
 */
export async function runBrowserSignIn<Result extends { readonly user: string }>(
  signIn: {
    readonly authorizationUrl: string;
    belongs(url: string): boolean;
    complete(url: string): Promise<Result>;
  },
  options: Pick<BrowserSignInOptions, 'receiver' | 'openBrowser' | 'signal' | 'timeoutMs'>,
): Promise<Result> {
  const { receiver } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  // Waiting starts before the browser opens: the loopback answers a callback only once it knows
  // which state is ours, and an opener may itself wait for the page the loopback answers with.
  const arrived = receiver.next(signal, (url) => signIn.belongs(url));
  arrived.catch(() => undefined);
  const opening = options.openBrowser(signIn.authorizationUrl);
  const openFailed = opening.then(
    () => new Promise<never>(() => undefined),
    (error: unknown) => Promise.reject(error),
  );
  openFailed.catch(() => undefined);
  let callback: string;
  try {
    callback = await Promise.race([arrived, openFailed]);
  } catch (error) {
    if (timeout.aborted) {
      throw new CompanionError(
        'OAUTH_CALLBACK_TIMEOUT',
        `The browser did not come back to ${receiver.redirectUri} within ${Math.round(timeoutMs / 1000)} s.`,
        {
          hint: `If the browser shows a Bitbucket error page, add this exact redirect URI to the Application Link: ${receiver.redirectUri}`,
        },
      );
    }
    if (options.signal?.aborted === true) {
      throw new CompanionError('OPERATION_CANCELLED', 'The sign-in was cancelled.');
    }
    throw error;
  }
  try {
    const result = await signIn.complete(callback);
    receiver.settle({ kind: 'signed-in', user: result.user });
    return result;
  } catch (error) {
    receiver.settle({ kind: 'failed', error: toErrorShape(error) });
    throw error;
  } finally {
    // An opener that follows the browser to the page ends once the page was answered.
    await opening.catch(() => undefined);
  }
}
