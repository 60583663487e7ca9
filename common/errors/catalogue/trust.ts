import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the trust capability. */
export const trustCodes = {} as const satisfies CatalogueSection;
