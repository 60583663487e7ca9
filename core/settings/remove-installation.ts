import { dirname } from 'node:path';
import type { Installation } from '../../common/models/installation.js';
import { SECRET_KINDS, type SecretKind } from '../../common/models/secret-kind.js';
import { removeRelayTlsPems } from '../relay/relay-tls-store.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SettingsStore } from './settings-store.js';

export interface InstallationRemoval {
  readonly installation: Installation;
  readonly deleted: readonly SecretKind[];
  /** Present but not deletable by the companion (a credentials directory managed by systemd). */
  readonly kept: readonly SecretKind[];
}

/**
 * Removes an installation: its secrets first, then its settings, then the relay TLS files kept
 * for it. In that order, so a keychain
 * failure throws before anything is forgotten and the removal can simply be retried; the other
 * order would leave secrets nobody can find or delete any more. `secrets` undefined removes the
 * settings only (`--keep-secrets`, for a keychain that cannot be reached).
 */
export async function removeInstallationWithSecrets(
  settings: SettingsStore,
  secrets: SecretStore | undefined,
  nameOrId: string,
): Promise<InstallationRemoval> {
  const installation = settings.requireInstallation(nameOrId);
  const deleted: SecretKind[] = [];
  const kept: SecretKind[] = [];
  if (secrets === undefined) {
    kept.push(...SECRET_KINDS);
  } else {
    for (const kind of SECRET_KINDS) {
      const key = { installationId: installation.id, kind };
      if ((await secrets.get(key)) === undefined) continue;
      if (await secrets.delete(key)) deleted.push(kind);
      else kept.push(kind);
    }
  }
  settings.removeInstallation(installation.id);
  // The relay's key kept as content (desktop, `serve`) lives in the config folder, beside settings.
  removeRelayTlsPems(dirname(settings.path), installation.id);
  return { installation, deleted, kept };
}
