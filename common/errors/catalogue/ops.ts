import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the ops capability. */
export const opsCodes = {
  DIAGNOSTICS_WRITE_FAILED: {
    cause:
      'The diagnostic bundle could not be written to the file given with --out (missing folder, no permission, disk full).',
    fix: 'Choose a file in a writable folder (`diagnose --out ~/bundle.json`), or omit --out to print the bundle.',
    fixGui: 'Save the bundle into a folder you can write to, or copy it instead.',
  },
} as const satisfies CatalogueSection;
