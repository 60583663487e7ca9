import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the secrets capability. */
export const secretsCodes = {} as const satisfies CatalogueSection;
