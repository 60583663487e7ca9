import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the oauth capability. */
export const oauthCodes = {} as const satisfies CatalogueSection;
