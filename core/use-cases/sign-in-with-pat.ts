import type { Installation } from '../../common/models/installation.js';
import {
  normalisePat,
  patAuthorization,
  savePatSignIn,
  verifyPat,
  type PatVerification,
} from '../auth/pat.js';
import type { Logger } from '../logging/logger.js';
import type { SecretStoreBackend } from '../secrets/secret-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';
import { openClientWithCredential } from './open-signed-in-client.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

export interface SignInWithPatPorts {
  readonly settings: SettingsStore;
  readonly secretStore: SecretStorePort;
  readonly env: Environment;
  readonly now: () => Date;
  readonly logger: Logger;
}

export interface SignInWithPatInput {
  /** Name or id. */
  readonly installation: string;
  /** As pasted or read; normalised here (surrounding whitespace, a `Bearer ` prefix). */
  readonly token: string;
  /** Fail unless the token can read these project keys. */
  readonly requireProjects?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface SignInWithPatResult {
  readonly installation: Installation;
  readonly verification: PatVerification;
  readonly secretStore: SecretStoreBackend;
}

/**
 * Verifies a personal access token with BDC and stores it only once it proved to name a user who
 * can read projects: the one path of `auth pat` and the wizard's sign-in (desktop and `serve`).
 * The token goes in and is never returned.
 */
export async function signInWithPat(
  ports: SignInWithPatPorts,
  input: SignInWithPatInput,
): Promise<SignInWithPatResult> {
  const installation = ports.settings.requireInstallation(input.installation);
  const token = normalisePat(input.token);
  // Open (and canary-check) the store first: no point verifying a token that cannot be kept.
  const secrets = await secretStoreOf(ports.secretStore);
  const candidate = openClientWithCredential(ports, installation, patAuthorization(token, '?'));
  let verification: PatVerification;
  try {
    verification = await verifyPat(candidate.client, {
      ...(input.requireProjects === undefined ? {} : { requireProjects: input.requireProjects }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  } finally {
    await candidate.close();
  }
  const updated = await savePatSignIn(
    ports.settings,
    secrets,
    installation,
    token,
    verification,
    ports.now(),
  );
  ports.logger.info('signed in with an access token', {
    installation: installation.name,
    user: verification.user,
    projects: verification.projects,
    secretStore: secrets.backend,
  });
  return { installation: updated, verification, secretStore: secrets.backend };
}
