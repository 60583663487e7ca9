import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the push capability. */
export const pushCodes = {} as const satisfies CatalogueSection;
