import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the probe capability. */
export const probeCodes = {} as const satisfies CatalogueSection;
