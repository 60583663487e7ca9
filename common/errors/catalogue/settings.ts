import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the settings capability. */
export const settingsCodes = {} as const satisfies CatalogueSection;
