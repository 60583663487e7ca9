import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the ops capability. */
export const opsCodes = {} as const satisfies CatalogueSection;
