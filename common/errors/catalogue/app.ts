import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the app capability. */
export const appCodes = {} as const satisfies CatalogueSection;
