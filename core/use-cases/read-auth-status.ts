import type { Installation } from '../../common/models/installation.js';
import { oauthSignInSummary } from '../auth/oauth/oauth-sign-out.js';
import { chosenBackend } from '../secrets/open-secret-store.js';
import { errorDetail } from '../secrets/secret-store-errors.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

/** Where the installation's secrets are kept: the store, or why it cannot be used. */
export type SecretStoreState =
  | { readonly healthy: true; readonly store: SecretStore }
  | {
      readonly healthy: false;
      readonly backend: string;
      readonly problem: { readonly code: string; readonly message: string };
    };

export interface AuthStatusView {
  readonly installation: Installation;
  readonly mode: Installation['auth']['kind'];
  /** For OAuth, the user the stored tokens name (the sign-in's user otherwise). */
  readonly user: string | undefined;
  readonly verifiedAt: string | undefined;
  readonly clientId: string | undefined;
  /** OAuth access-token expiry; BDC does not tell a PAT's expiry to its holder. */
  readonly expiresAt: string | undefined;
  /** Whether the credential the settings name is in the store. */
  readonly credentialStored: boolean;
  readonly secretStore: SecretStoreState;
}

/**
 * How an installation is signed in and where its credential is kept (`auth status`, the
 * installations view): a store that cannot be opened is part of the answer, not a failure.
 */
export async function readAuthStatus(
  ports: {
    readonly settings: SettingsStore;
    readonly secretStore: SecretStorePort;
    readonly env: Environment;
  },
  input: { readonly installation: string },
): Promise<AuthStatusView> {
  const installation = ports.settings.requireInstallation(input.installation);
  const auth = installation.auth;
  let secretStore: SecretStoreState;
  let credential: { stored: boolean; expiresAt?: string; user?: string } = { stored: false };
  try {
    const store = await secretStoreOf(ports.secretStore);
    secretStore = { healthy: true, store };
    credential = await credentialState(installation, store);
  } catch (error) {
    let backend: string;
    try {
      backend = chosenBackend({ env: ports.env });
    } catch {
      backend = 'unknown';
    }
    secretStore = {
      healthy: false,
      backend,
      problem: {
        code: (error as { code?: string }).code ?? 'SECRET_STORE_FAILED',
        message: errorDetail(error),
      },
    };
  }
  return {
    installation,
    mode: auth.kind,
    user: credential.user ?? (auth.kind === 'none' ? undefined : auth.user),
    verifiedAt: auth.kind === 'pat' ? auth.verifiedAt : undefined,
    clientId: auth.kind === 'oauth' ? auth.clientId : undefined,
    expiresAt: credential.expiresAt,
    credentialStored: credential.stored,
    secretStore,
  };
}

async function credentialState(
  installation: Installation,
  secrets: SecretStore,
): Promise<{ stored: boolean; expiresAt?: string; user?: string }> {
  const auth = installation.auth;
  if (auth.kind === 'pat') {
    const token = await secrets.get({ installationId: installation.id, kind: 'pat' });
    return { stored: token !== undefined };
  }
  if (auth.kind === 'oauth') {
    try {
      const summary = await oauthSignInSummary(secrets, installation.id);
      return summary === undefined
        ? { stored: false }
        : {
            stored: true,
            expiresAt: new Date(summary.expiresAt).toISOString(),
            ...(summary.user === undefined ? {} : { user: summary.user }),
          };
    } catch {
      // A damaged token set is stored but useless; signing in again replaces it.
      return { stored: true };
    }
  }
  return { stored: false };
}
