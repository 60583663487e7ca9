import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the relay capability. */
export const relayCodes = {} as const satisfies CatalogueSection;
