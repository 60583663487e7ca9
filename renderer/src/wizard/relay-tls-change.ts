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

/** A certificate or key file holds a few KiB; the companion refuses more than 64 KiB. */
export const RELAY_TLS_FILE_MAX_BYTES = 64 * 1024;

/** Reads a picked file's text in the page, bounded as the companion bounds such files. */
export async function readPickedPem(file: {
  size: number;
  text(): Promise<string>;
}): Promise<string> {
  if (file.size > RELAY_TLS_FILE_MAX_BYTES) {
    throw new CompanionError(
      'FILE_READ_FAILED',
      'The picked file is larger than 64 KiB; a certificate or key file holds a few KiB.',
    );
  }
  return file.text();
}
