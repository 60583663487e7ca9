import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { DiagnosticsBundle } from './collect-diagnostics.js';

/** A default file name: `bdc-companion-diagnostics-20261128T201500Z.json`. */
export function diagnosticsFileName(generatedAt: string): string {
  return `bdc-companion-diagnostics-${generatedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`;
}

/**
 * Writes the bundle as pretty JSON, readable by the owner only (it names hosts and users even
 * with secrets removed), through a temporary file and a rename so a reader never sees half of it.
 */
export function writeDiagnosticsFile(path: string, bundle: DiagnosticsBundle): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, `${JSON.stringify(bundle, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CompanionError(
      'DIAGNOSTICS_WRITE_FAILED',
      `The diagnostic bundle could not be written to ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
