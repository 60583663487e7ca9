import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the auth capability. */
export const authCodes = {} as const satisfies CatalogueSection;
