import type { SecretStore } from '../secrets/secret-store.js';

/**
 * The secret store as a use case receives it: open already (the desktop and `serve` hold one), or
 * opened on first use (a CLI command), so bad input such as an unknown installation is reported
 * before the keychain is touched, with the same error code on every surface.
 */
export type SecretStorePort = SecretStore | (() => Promise<SecretStore>);

export async function secretStoreOf(port: SecretStorePort): Promise<SecretStore> {
  return typeof port === 'function' ? port() : port;
}

/** How a secret store is described to its user (`auth status`, the diagnostics). */
export { describeSecretStore } from '../secrets/open-secret-store.js';

/** The variables that choose a headless store and give it its passphrase file. */
export { PASSPHRASE_FILE_ENV, SECRET_STORE_ENV } from '../secrets/open-secret-store.js';
