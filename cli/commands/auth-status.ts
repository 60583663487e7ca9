import type { Installation } from '../../common/models/installation.js';
import { oauthSignInSummary } from '../../core/auth/oauth/oauth-sign-out.js';
import { errorDetail } from '../../core/secrets/secret-store-errors.js';
import type { SecretStore } from '../../core/secrets/secret-store.js';
import { chosenBackend } from '../../core/secrets/open-secret-store.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { secretStoreView } from './installation-support.js';

async function credentialState(
  installation: Installation,
  secrets: SecretStore,
): Promise<{ stored: boolean; expiresAt: string | null }> {
  const auth = installation.auth;
  if (auth.kind === 'pat') {
    const token = await secrets.get({ installationId: installation.id, kind: 'pat' });
    // BDC does not tell a token's expiry to its holder; none is recorded.
    return { stored: token !== undefined, expiresAt: null };
  }
  if (auth.kind === 'oauth') {
    try {
      const summary = await oauthSignInSummary(secrets, installation.id);
      return {
        stored: summary !== undefined,
        expiresAt: summary ? new Date(summary.expiresAt).toISOString() : null,
      };
    } catch {
      // A damaged token set is stored but useless; signing in again replaces it.
      return { stored: true, expiresAt: null };
    }
  }
  return { stored: false, expiresAt: null };
}

/**
 * `auth status <name>`: the sign-in mode, user, expiry, and which secret store holds the
 * credential — disclosed, so nobody mistakes a passphrase file for the OS keychain.
 */
export const authStatusCommand: Command = {
  path: ['auth', 'status'],
  summary: 'show how an installation is signed in and where its secrets are kept',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const ports = openLocalPorts(context.home, context.io.env);
    const installation = ports.settings.requireInstallation(context.positionals[0] as string);
    const auth = installation.auth;
    let store: Record<string, unknown>;
    let credential = { stored: false, expiresAt: null as string | null };
    try {
      const secrets = await ports.secretStore();
      store = { ...secretStoreView(secrets), healthy: true };
      credential = await credentialState(installation, secrets);
    } catch (error) {
      // The status of a broken store is exactly what this command must show, not hide.
      let backend: string;
      try {
        backend = chosenBackend({ env: context.io.env });
      } catch {
        backend = 'unknown';
      }
      store = {
        backend,
        healthy: false,
        problem: {
          code: (error as { code?: string }).code ?? 'SECRET_STORE_FAILED',
          message: errorDetail(error),
        },
      };
    }
    const user = auth.kind === 'none' ? null : (auth.user ?? null);
    const data = {
      installation: installation.name,
      mode: auth.kind,
      user,
      expiresAt: credential.expiresAt,
      verifiedAt: auth.kind === 'pat' ? auth.verifiedAt : null,
      clientId: auth.kind === 'oauth' ? auth.clientId : null,
      credentialStored: credential.stored,
      secretStore: store,
    };
    context.output.success(data, () =>
      formatRows([
        ['installation', installation.name],
        ['mode', auth.kind === 'none' ? 'not signed in' : auth.kind],
        ['user', user ?? '-'],
        [
          'expires',
          credential.expiresAt ?? (auth.kind === 'pat' ? 'not known to the token holder' : '-'),
        ],
        [
          'credential',
          auth.kind === 'none'
            ? '-'
            : credential.stored
              ? 'stored'
              : 'MISSING from the secret store',
        ],
        [
          'secret store',
          store['healthy'] === true
            ? String(store['description'])
            : `${String(store['backend'])}: NOT USABLE (${(store['problem'] as { message: string }).message})`,
        ],
      ]),
    );
  },
};
