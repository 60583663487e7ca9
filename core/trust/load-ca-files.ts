import { readCaFile } from './read-ca-input.js';
import { validateCaPem, type CaValidationOptions, type ValidatedCa } from './validate-ca.js';

/**
 * Reads and validates CA files as the CLI's `--ca-file` flags name them, merged into one set.
 * Each file is validated on its own, so an error names the file it came from.
 */
export async function loadCaFiles(
  paths: readonly string[],
  options: CaValidationOptions = {},
): Promise<ValidatedCa> {
  const results: ValidatedCa[] = [];
  for (const path of paths) {
    const text = await readCaFile(path);
    try {
      // Intermediates are judged over the whole set below, not per file.
      results.push(validateCaPem(text, { ...options, allowIntermediate: true }));
    } catch (error) {
      if (error instanceof Error) error.message = `${path}: ${error.message}`;
      throw error;
    }
  }
  const seen = new Set<string>();
  const certificates = results
    .flatMap((result) => result.certificates)
    .filter((certificate) => {
      if (seen.has(certificate.sha256)) return false;
      seen.add(certificate.sha256);
      return true;
    });
  const intermediateOnly =
    certificates.length > 0 && !certificates.some((certificate) => certificate.role === 'root');
  if (intermediateOnly && options.allowIntermediate !== true) {
    // Re-run the single-input rule on the merged set for its message and code.
    validateCaPem(certificates.map((certificate) => certificate.pem).join(''), options);
  }
  return {
    kind: 'validated-ca',
    certificates,
    pems: certificates.map((certificate) => certificate.pem),
    warnings: results.flatMap((result) => result.warnings),
    intermediateOnly,
  };
}
