import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the history capability. */
export const historyCodes = {
  HISTORY_QUERY_INVALID: {
    cause:
      'A push history filter or page parameter is malformed (for example a limit that is not a positive number).',
    fix: 'Pass `--limit` as a whole number from 1 to 1000 and an existing installation name.',
    fixGui: 'Choose an existing installation and a limit from 1 to 1000.',
  },
  HISTORY_UNAVAILABLE: {
    cause: 'The push history database could not be opened or written.',
    fix: 'Check that the config home is writable and not on a network drive, then run the command again.',
    fixGui:
      "Check that the companion's settings folder is writable and not on a network drive, then try again.",
  },
} as const satisfies CatalogueSection;
