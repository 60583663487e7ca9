import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the probe capability (the HTTP and version steps; network codes are in net). */
export const probeCodes = {
  NOT_BITBUCKET: {
    cause: 'The server answered, but not like Bitbucket Data Center (no application properties).',
    fix: 'Check the URL, including the context path (e.g. /bitbucket), against the address you open Bitbucket with.',
  },
  UNSUPPORTED_VERSION: {
    cause: 'The Bitbucket Data Center version is not 9.x or 10.x.',
    fix: 'Upgrade Bitbucket to 9.x or 10.x, or ask Ankra which companion release supports this version.',
  },
  PROBE_REDIRECTED: {
    cause: 'The server redirected the probe elsewhere; redirects are not followed blindly.',
    fix: 'Use the URL the redirect points to (named in the message) if it is the real Bitbucket address.',
  },
  PROBE_HTTP_STATUS: {
    cause: 'The server answered the version request with an unexpected HTTP status.',
    fix: 'Check that Bitbucket is running and not in maintenance or starting up, then probe again.',
  },
  PROBE_TIMEOUT: {
    cause: 'The probe did not finish within its time bound.',
    fix: 'Check the network path to the server; the step that timed out is named in the report.',
  },
} as const satisfies CatalogueSection;
