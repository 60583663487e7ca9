import type { Installation } from '../../common/models/installation.js';
import { signOutInstallation, type SignOutResult } from '../auth/sign-out.js';
import type { Logger } from '../logging/logger.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';
import { secretStoreOf, type SecretStorePort } from './secret-store-port.js';

export interface SignOutPorts {
  readonly settings: SettingsStore;
  readonly secretStore: SecretStorePort;
  readonly env: Environment;
  readonly logger: Logger;
}

/**
 * Forgets an installation's credential (`auth logout`, the installations view): OAuth tokens are
 * revoked at Bitbucket first (best effort), then the secrets and the sign-in are deleted.
 */
export async function signOut(
  ports: SignOutPorts,
  input: { readonly installation: string },
): Promise<SignOutResult & { readonly installation: Installation }> {
  const installation = ports.settings.requireInstallation(input.installation);
  const result = await signOutInstallation(
    ports.settings,
    await secretStoreOf(ports.secretStore),
    installation,
    { env: ports.env },
  );
  ports.logger.info('signed out', {
    installation: installation.name,
    previousMode: result.previousMode,
    secretsDeleted: result.deleted,
    revoked: result.revoked,
  });
  return { ...result, installation };
}
