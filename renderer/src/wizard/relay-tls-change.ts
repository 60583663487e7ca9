import type { InstallationUpdate } from '../../../common/api/models.js';
import { CompanionError } from '../../../common/errors/companion-error.js';

/**
 * The TLS part of the relay settings from the two picked files' contents (read here, never a
 * path the companion opens: docs/operations.md): both picked serves HTTPS with them, the "plain
 * HTTP" choice goes back to HTTP, one file alone is a mistake the user must see.
 */
export function relayTlsChange(
  certPem: string | undefined,
  keyPem: string | undefined,
  plainHttp: boolean,
): NonNullable<NonNullable<InstallationUpdate['relay']>['tls']> | undefined {
  if (plainHttp) return { kind: 'none' };
  if (certPem !== undefined && keyPem !== undefined) return { kind: 'pem', certPem, keyPem };
  if (certPem === undefined && keyPem === undefined) return undefined;
  throw new CompanionError(
    'INPUT_INVALID',
    'Pick both the certificate file and the key file for HTTPS, or neither to keep the current setting.',
  );
}

/** Read in the page, bounded as the companion bounds such files (components/picked-file.ts). */
export { readPickedPem } from '../components/picked-file.js';
