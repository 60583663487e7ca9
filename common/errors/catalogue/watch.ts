import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of watch mode (the companion polls BDC's refs when BDC cannot reach the relay). */
export const watchCodes = {
  WATCH_BDC_BUSY: {
    cause:
      'Bitbucket answered 429 (rate limited) or 503 (unavailable) to a poll of the watched refs.',
    fix: 'Nothing to do: the watch backs off as Bitbucket asks and catches up afterwards. If it persists, raise the interval (`relay watch <name> … --interval 60`) or exempt the user from rate limiting.',
    fixGui:
      'Nothing to do: the watch backs off as Bitbucket asks and catches up afterwards. If it persists, raise the watch interval or exempt the user from rate limiting.',
  },
  WATCH_READ_FAILED: {
    cause:
      'Bitbucket refused or could not answer the request for a watched repository’s refs (no read permission, the repository is gone, or a proxy answered instead).',
    fix: 'Check that the signed-in user can read the repository (REPO_READ) and that it still exists; `relay status <name>` names the repository.',
    fixGui:
      'Check that the signed-in user can read the repository (Repositories: Read) and that it still exists; the Relay view names the repository.',
  },
  WATCH_TARGET_INVALID: {
    cause: 'A repository to watch was not given as PROJECT/slug, or a project key is empty.',
    fix: 'Pass --repo PROJECT/slug (repeat it) or --project KEY (repeat it).',
    fixGui: 'Choose the repositories to watch from the list (PROJECT/slug), or a project.',
  },
  WATCH_INTERVAL_INVALID: {
    cause: 'The watch interval is not a whole number of seconds between 5 and 3600.',
    fix: 'Pass --interval with a number of seconds from 5 to 3600 (default 15).',
    fixGui: 'Enter the watch interval as a number of seconds from 5 to 3600 (default 15).',
  },
  WATCH_NOTHING_TO_WATCH: {
    cause: 'Watch mode was asked for without a repository or project to watch.',
    fix: 'Name what to watch with --repo PROJECT/slug or --project KEY, or stop watching with --off.',
    fixGui: 'Choose at least one repository or project to watch, or turn watching off.',
  },
} as const satisfies CatalogueSection;
