import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { RelayTlsFiles } from '../../common/models/installation.js';
import { writeFileAtomic } from '../io/atomic-write.js';

/**
 * Keeps a relay certificate chain and key that arrived as content (the desktop app and `serve`
 * send what the user picked, never a path) as files the relay reads at every start: in the
 * companion's config folder, `relay-tls/<installation id>/`, mode 0600. The names carry a digest
 * of the content, so a pair that is written but then not saved (a failed update) never replaces
 * the files a running relay uses. The pair is checked before anything is written.
 */
export function storeRelayTlsPems(
  configDirectory: string,
  installationId: string,
  pems: { readonly certPem: string; readonly keyPem: string },
): RelayTlsFiles {
  try {
    createSecureContext({ cert: pems.certPem, key: pems.keyPem });
  } catch (error) {
    throw new CompanionError(
      'RELAY_TLS_INVALID',
      `The relay certificate and key are not a usable pair: ${(error as { code?: string }).code ?? 'unreadable PEM'}.`,
      { cause: error },
    );
  }
  const digest = createHash('sha256')
    .update(pems.certPem)
    .update('\u0000')
    .update(pems.keyPem)
    .digest('hex')
    .slice(0, 16);
  const directory = relayTlsDirectory(configDirectory, installationId);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const certFile = join(directory, `${digest}-cert.pem`);
  const keyFile = join(directory, `${digest}-key.pem`);
  writeFileAtomic(certFile, pems.certPem, 0o600);
  writeFileAtomic(keyFile, pems.keyPem, 0o600);
  return { certFile, keyFile };
}

function relayTlsDirectory(configDirectory: string, installationId: string): string {
  return join(configDirectory, 'relay-tls', installationId.replace(/[^\w.-]/gu, '_'));
}

/**
 * Deletes the relay certificates and keys kept for an installation (every pair ever stored, also
 * one an unsaved update left), when the installation is removed: a private key must not outlive
 * what it served. Files the admin named by path are theirs and never touched.
 */
export function removeRelayTlsPems(configDirectory: string, installationId: string): void {
  rmSync(relayTlsDirectory(configDirectory, installationId), { recursive: true, force: true });
}
