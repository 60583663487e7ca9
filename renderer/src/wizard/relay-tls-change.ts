import type { InstallationUpdate } from '../../../common/api/models.js';
import { CompanionError } from '../../../common/errors/companion-error.js';

/**
 * The TLS part of the relay settings from the two path fields: both set serves HTTPS, both
 * cleared goes back to HTTP, one alone is a mistake the user must see.
 */
export function relayTlsChange(
  certFile: string,
  keyFile: string,
  hadTls: boolean,
): NonNullable<NonNullable<InstallationUpdate['relay']>['tls']> | undefined {
  const cert = certFile.trim();
  const key = keyFile.trim();
  if (cert !== '' && key !== '') return { kind: 'files', certFile: cert, keyFile: key };
  if (cert === '' && key === '') return hadTls ? { kind: 'none' } : undefined;
  throw new CompanionError(
    'INPUT_INVALID',
    'Give both the certificate file and the key file for HTTPS, or neither for plain HTTP.',
  );
}
