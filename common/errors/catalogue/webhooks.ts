import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the webhooks capability. */
export const webhooksCodes = {} as const satisfies CatalogueSection;
