import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the net capability. */
export const netCodes = {} as const satisfies CatalogueSection;
