import { CompanionError } from '../../common/errors/companion-error.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { DiagnosticsBundle } from './collect-diagnostics.js';

/** A default file name: `bdc-companion-diagnostics-20261128T201500Z.json`. */
export function diagnosticsFileName(generatedAt: string): string {
  return `bdc-companion-diagnostics-${generatedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`;
}

/** The bundle as the file holds it: pretty JSON, what `diagnose --out` writes and the GUI saves. */
export function diagnosticsText(bundle: DiagnosticsBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

/**
 * Writes the bundle as pretty JSON, readable by the owner only (it names hosts and users even
 * with secrets removed), through a temporary file and a rename so a reader never sees half of it.
 */
export function writeDiagnosticsFile(path: string, bundle: DiagnosticsBundle): void {
  try {
    writeFileAtomic(path, diagnosticsText(bundle), 0o600);
  } catch (error) {
    throw new CompanionError(
      'DIAGNOSTICS_WRITE_FAILED',
      `The diagnostic bundle could not be written to ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
