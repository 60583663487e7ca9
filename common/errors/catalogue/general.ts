import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes any command or operation can produce. */
export const generalCodes = {
  USAGE_INVALID: {
    cause: 'The command line has an unknown flag, a missing argument or a malformed value.',
    fix: 'Run the command with --help to see its arguments and flags.',
    fixGui: 'Check the values entered and try again.',
  },
  COMMAND_UNKNOWN: {
    cause: 'The command named on the command line does not exist.',
    fix: 'Run `bdc-companion --help` for the list of commands.',
    fixGui:
      'Use the views in the sidebar; every action of the companion is there or on the command line.',
  },
  INPUT_INVALID: {
    cause: 'A value passed to an operation does not have the expected form.',
    fix: 'Correct the value named in the message and try again.',
  },
  INTERNAL_ERROR: {
    cause: 'The companion hit an unexpected condition (a bug).',
    fix: 'Run `bdc-companion diagnose` and send the bundle to Ankra support.',
    fixGui: 'Run Diagnostics (in the sidebar), save the bundle and send it to Ankra support.',
  },
  FILE_READ_FAILED: {
    cause:
      'A file named on the command line or in the settings could not be read: it is missing, this user may not read it, it is not a regular file (a device such as /dev/zero, a pipe, a folder), or it is larger than the limit for its kind (token and certificate/key files 64 KiB, a pushed file 100 MiB).',
    fix: 'Name a regular file of the right kind that this user may read; the limits are in docs/operations.md ("Files the companion reads").',
    fixGui:
      'Choose (or drop) the file itself: a regular file of the right kind that this user may read; the limits are in docs/operations.md ("Files the companion reads").',
  },
  OPERATION_CANCELLED: {
    cause: 'The operation was cancelled before it finished.',
    fix: 'Start it again when ready; nothing was changed by the cancelled attempt.',
  },
} as const satisfies CatalogueSection;
