import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the settings capability. */
export const settingsCodes = {
  SETTINGS_CORRUPT: {
    cause:
      'The settings file is not valid JSON or breaks the settings schema; it was moved aside, not replaced.',
    fix: 'The original is kept next to settings.json (named in the message); repair and restore it, or add the installations again.',
  },
  SETTINGS_NEWER_VERSION: {
    cause: 'The settings file was written by a newer version of the companion than this one.',
    fix: 'Run the newer companion version, or restore a settings backup written by this version.',
  },
  SETTINGS_WRITE_FAILED: {
    cause: 'The settings file could not be written (permissions, full disk or a read-only folder).',
    fix: 'Check that the config home exists, is writable by this user and has free space.',
  },
  SETTINGS_VALUE_INVALID: {
    cause: 'A value to be saved in the settings breaks the settings schema.',
    fix: 'Correct the value named in the message; nothing was saved.',
  },
  INSTALLATION_NOT_FOUND: {
    cause: 'No installation has the name or id given.',
    fix: 'Run `bdc-companion installation list` to see the installations, or add one with `installation add`.',
    fixGui: 'Open Installations to see the installations, or add one with the Setup wizard.',
  },
  INSTALLATION_EXISTS: {
    cause: 'An installation with this name already exists.',
    fix: 'Choose another name, or remove the existing one first with `installation remove`.',
    fixGui:
      'Choose another installation name, or remove the existing one on the Installations view first.',
  },
  INSTALLATION_NAME_INVALID: {
    cause:
      'Installation names are 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
    fix: 'Choose a short name such as `prod` or `bdc-eu.1`.',
  },
} as const satisfies CatalogueSection;
