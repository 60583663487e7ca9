import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the history capability. */
export const historyCodes = {} as const satisfies CatalogueSection;
