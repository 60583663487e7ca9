import { isAbsolute } from 'node:path';
import { createSecureContext } from 'node:tls';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { RelayTlsFiles } from '../../common/models/installation.js';
import type { RelayTls } from './relay.js';
import { readBoundedFileSync } from '../io/bounded-file.js';

/**
 * Reads the relay's certificate and key and checks they form a usable pair, so a wrong file is
 * reported when it is configured or the relay starts — not as a handshake failure BDC logs later.
 * The key's text never appears in the error.
 */
export function loadRelayTls(files: RelayTlsFiles): RelayTls {
  for (const [what, file] of [
    ['certificate', files.certFile],
    ['key', files.keyFile],
  ] as const) {
    if (!isAbsolute(file)) {
      throw new CompanionError(
        'RELAY_TLS_INVALID',
        `The relay ${what} file must be an absolute path (a service starts in another folder): ${file}`,
        { data: { file } },
      );
    }
  }
  // FILE_READ_FAILED (missing, not a regular file, over 64 KiB) passes through as it is.
  const tls: RelayTls = {
    cert: readBoundedFileSync(files.certFile, 'certificate'),
    key: readBoundedFileSync(files.keyFile, 'certificate'),
  };
  try {
    createSecureContext({ cert: tls.cert, key: tls.key });
  } catch (error) {
    throw new CompanionError(
      'RELAY_TLS_INVALID',
      `The relay certificate and key are not a usable pair: ${(error as { code?: string }).code ?? 'unreadable PEM'}.`,
      { cause: error, data: { certFile: files.certFile, keyFile: files.keyFile } },
    );
  }
  return tls;
}
