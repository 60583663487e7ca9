import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { readAuthStatus } from '../../core/use-cases/read-auth-status.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { secretStoreView } from './installation-support.js';

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
    const status = await readAuthStatus(ports, {
      installation: context.positionals[0] as string,
    });
    const { installation, secretStore } = status;
    const auth = installation.auth;
    // The status of a broken store is exactly what this command must show, not hide.
    const store: Record<string, unknown> = secretStore.healthy
      ? { ...secretStoreView(secretStore.store), healthy: true }
      : { backend: secretStore.backend, healthy: false, problem: secretStore.problem };
    const credential = { stored: status.credentialStored, expiresAt: status.expiresAt ?? null };
    const user = status.user ?? null;
    const data = {
      installation: installation.name,
      mode: auth.kind,
      user,
      expiresAt: credential.expiresAt,
      verifiedAt: status.verifiedAt ?? null,
      clientId: status.clientId ?? null,
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
