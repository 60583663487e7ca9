import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import type { CallbackReceiver } from '../auth/oauth/callback-receiver.js';
import type { ClientCheck } from '../auth/oauth/client-check.js';
import { oauthClientSecretKey } from '../auth/oauth/oauth-authorization.js';
import { instanceNetworkOptions, type DispatcherFactory } from '../auth/oauth/oauth-network.js';
import type { RedirectMode } from '../auth/oauth/oauth-redirect.js';
import {
  prepareOAuthSignIn,
  runBrowserSignIn,
  type BrowserOpener,
  type OAuthSignInResult,
} from '../auth/oauth/oauth-sign-in.js';
import { createDispatcher } from '../net/network-factory.js';
import type { SecretKey, SecretStore } from '../secrets/secret-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

export interface OAuthSignInPorts {
  readonly settings: SettingsStore;
  readonly secretStore: SecretStorePort;
  readonly env: Environment;
  readonly createDispatcher?: DispatcherFactory;
  readonly now?: () => number;
}

export interface StartOAuthSignInInput {
  /** Name or id. */
  readonly installation: string;
  /** Absent: the one kept from a failed attempt, else the one of the current OAuth sign-in. */
  readonly clientId?: string;
  /** Absent or empty: the one kept from a failed attempt for this client id, else the stored one. */
  readonly clientSecret?: string;
  readonly redirect: RedirectMode;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
}

export interface OAuthSignedIn extends OAuthSignInResult {
  readonly installation: Installation;
  readonly secretStore: SecretStore;
}

/** A sign-in checked with Bitbucket as far as it can be without a user, ready for the browser. */
export interface StartedOAuthSignIn {
  readonly installation: Installation;
  readonly clientId: string;
  readonly authorizationUrl: string;
  readonly redirectUri: string;
  readonly clientCheck: ClientCheck;
  readonly secretStore: SecretStore;
  belongs(callbackUrl: string): boolean;
  /** Redeems the code, stores the credential, saves the installation; forgets the kept input. */
  complete(callbackUrl: string): Promise<OAuthSignedIn>;
  /** The admin cancelled: what was entered is forgotten too. */
  cancelled(): Promise<void>;
  close(): Promise<void>;
}

export function pendingClientKey(installationId: string): SecretKey {
  return { installationId, kind: 'oauth-client-pending' };
}

interface KeptClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

async function readKept(
  secrets: SecretStore,
  installationId: string,
): Promise<KeptClient | undefined> {
  try {
    const text = await secrets.get(pendingClientKey(installationId));
    if (text === undefined) return undefined;
    const kept = JSON.parse(text) as Partial<KeptClient>;
    if (typeof kept.clientId !== 'string' || typeof kept.clientSecret !== 'string')
      return undefined;
    return { clientId: kept.clientId, clientSecret: kept.clientSecret };
  } catch {
    // Unreadable kept input only means the admin enters it again.
    return undefined;
  }
}

/**
 * The one OAuth sign-in path of the CLI (`auth oauth`) and the UI (desktop and `serve`):
 * resolves the client id and secret (entered now, kept from a failed attempt, or stored), checks
 * with Bitbucket everything it answers without a user — client id and redirect URI, then the
 * client secret (core/auth/oauth/client-check.ts) — and only then hands back the URL to open.
 * What was entered is kept in the secret store until the sign-in succeeds or the admin cancels,
 * so a failure (a denied consent, a timeout, a wrong permission) needs only a retry.
 */
export async function startOAuthSignIn(
  ports: OAuthSignInPorts,
  input: StartOAuthSignInInput,
): Promise<StartedOAuthSignIn> {
  const installation = ports.settings.requireInstallation(input.installation);
  const secrets = await secretStoreOf(ports.secretStore);
  const kept = await readKept(secrets, installation.id);
  const current = installation.auth.kind === 'oauth' ? installation.auth.clientId : undefined;
  const clientId = input.clientId?.trim() || kept?.clientId || current;
  if (clientId === undefined || clientId === '') {
    throw new CompanionError(
      'OAUTH_CLIENT_ID_MISSING',
      `No OAuth client id for "${installation.name}": none was entered and none is kept or saved.`,
    );
  }
  const entered = input.clientSecret?.trim();
  const clientSecret =
    entered ||
    (kept?.clientId === clientId ? kept.clientSecret : undefined) ||
    (clientId === current ? await secrets.get(oauthClientSecretKey(installation.id)) : undefined);
  if (clientSecret === undefined || clientSecret === '') {
    throw new CompanionError(
      'OAUTH_CLIENT_SECRET_MISSING',
      `No client secret for client id ${clientId} of "${installation.name}": none was entered and none is kept or stored.`,
    );
  }
  const dispatcher = (ports.createDispatcher ?? createDispatcher)({
    ...instanceNetworkOptions(installation),
    env: ports.env,
  });
  try {
    const signIn = await prepareOAuthSignIn({
      installation,
      clientId,
      clientSecret,
      redirectUri: input.redirectUri,
      scopes: input.scopes,
      secrets,
      dispatcher,
      ...(ports.now === undefined ? {} : { now: ports.now }),
    });
    // Bitbucket accepted what it could check: keep it, so any later failure needs only a retry.
    // A store that cannot take it (read-only credentials folder) just means entering it again.
    await secrets
      .set(pendingClientKey(installation.id), JSON.stringify({ clientId, clientSecret }))
      .catch(() => undefined);
    return {
      installation,
      clientId,
      authorizationUrl: signIn.authorizationUrl,
      redirectUri: signIn.redirectUri,
      clientCheck: signIn.clientCheck,
      secretStore: secrets,
      belongs: (url) => signIn.belongs(url),
      async complete(callbackUrl) {
        const result = await signIn.complete(callbackUrl);
        const latest = ports.settings.requireInstallation(installation.id);
        const updated: Installation = {
          ...latest,
          auth: { kind: 'oauth', clientId, redirect: input.redirect, user: result.user },
        };
        ports.settings.saveInstallation(updated);
        if (latest.auth.kind === 'pat') {
          // One credential per installation: the PAT is no longer what the companion uses.
          await secrets.delete({ installationId: installation.id, kind: 'pat' });
        }
        await secrets.delete(pendingClientKey(installation.id)).catch(() => false);
        return { ...result, installation: updated, secretStore: secrets };
      },
      async cancelled() {
        await secrets.delete(pendingClientKey(installation.id)).catch(() => false);
      },
      close: () => dispatcher.close(),
    };
  } catch (error) {
    await dispatcher.close();
    throw error;
  }
}

export interface BrowserSignInOptions {
  readonly receiver: CallbackReceiver;
  readonly openBrowser: BrowserOpener;
  /** Told before the browser opens: the URL, and whether Bitbucket confirmed the secret. */
  readonly onStarted?: (started: StartedOAuthSignIn) => void;
  readonly signal?: AbortSignal;
  /** How long to wait for the browser to come back; 5 minutes by default. */
  readonly timeoutMs?: number;
}

/**
 * The whole browser flow for a one-shot caller (`auth oauth`): start (checks first), open the
 * browser, wait for the callback, complete — and tell the browser page how it ended.
 */
export async function signInWithOAuthInBrowser(
  ports: OAuthSignInPorts,
  input: Omit<StartOAuthSignInInput, 'redirectUri'>,
  options: BrowserSignInOptions,
): Promise<OAuthSignedIn> {
  const { receiver } = options;
  let started: StartedOAuthSignIn | undefined;
  try {
    started = await startOAuthSignIn(ports, { ...input, redirectUri: receiver.redirectUri });
    options.onStarted?.(started);
    return await runBrowserSignIn(started, options);
  } catch (error) {
    if (options.signal?.aborted === true) await started?.cancelled();
    throw error;
  } finally {
    await receiver.close();
    await started?.close();
  }
}

/** What an adapter needs to receive the callback and open the browser (CLI: headless). */
export {
  createPastedCallbackReceiver,
  startLoopbackReceiver,
  type CallbackReceiver,
} from '../auth/oauth/callback-receiver.js';
export { createHeadlessBrowserOpener } from '../auth/oauth/browser-opener.js';
export {
  CUSTOM_REDIRECT_URI,
  DEFAULT_OAUTH_PORT,
  DEFAULT_OAUTH_SCOPES,
  redirectUrisToRegister,
  type RedirectMode,
} from '../auth/oauth/oauth-redirect.js';
export { DEFAULT_SIGN_IN_TIMEOUT_MS, type BrowserOpener } from '../auth/oauth/oauth-sign-in.js';
