import type { CatalogueSection } from '../catalogue-entry.js';

/** Codes of the secrets capability. */
export const secretsCodes = {
  SECRET_STORE_UNAVAILABLE: {
    cause:
      'No OS keychain could be reached (no Secret Service on D-Bus, libsecret missing, or no desktop session).',
    fix: 'Without a desktop session, set BDC_COMPANION_SECRET_STORE=encrypted-file and BDC_COMPANION_SECRETS_PASSPHRASE_FILE to a file holding a passphrase (credentials-dir works only inside a systemd unit with LoadCredential=); on a desktop, start its keychain (gnome-keyring, KWallet).',
  },
  SECRET_STORE_LOCKED: {
    cause: 'The OS keychain is locked or waiting for an unlock prompt that nobody answered.',
    fix: 'Unlock the login keychain (log in to the desktop session, or unlock it with your keyring tool), then retry.',
  },
  SECRET_STORE_DENIED: {
    cause: 'The OS keychain refused the companion access to its entry.',
    fix: 'Allow the companion in the keychain prompt or the keychain access settings, then retry.',
  },
  SECRET_STORE_FAILED: {
    cause: 'The secret store failed for a reason it did not classify.',
    fix: 'Retry; if it persists run `bdc-companion diagnose` and check the keychain service logs.',
    fixGui: 'Retry; if it persists, run Diagnostics and check the keychain service.',
  },
  SECRET_STORE_UNKNOWN: {
    cause: 'BDC_COMPANION_SECRET_STORE names a secret store that does not exist.',
    fix: 'Use one of keytar (default), credentials-dir or encrypted-file.',
  },
  SECRET_STORE_READ_ONLY: {
    cause: 'The credentials directory (systemd LoadCredential=) is read-only to the companion.',
    fix: 'Put the secret in the file named in the message and load it with LoadCredential= in the service unit.',
  },
  SECRET_STORE_NOT_CONFIGURED: {
    cause:
      'The encrypted-file secret store has no passphrase: neither BDC_COMPANION_SECRETS_PASSPHRASE_FILE nor BDC_COMPANION_SECRETS_PASSPHRASE is set, or the passphrase file cannot be read.',
    fix: 'Set BDC_COMPANION_SECRETS_PASSPHRASE_FILE to a readable file holding the passphrase (or BDC_COMPANION_SECRETS_PASSPHRASE to the passphrase itself).',
  },
  SECRET_STORE_NO_CREDENTIALS_DIRECTORY: {
    cause:
      'BDC_COMPANION_SECRET_STORE=credentials-dir was chosen, but CREDENTIALS_DIRECTORY is not set: systemd sets it only inside a service unit with LoadCredential=.',
    fix: 'Use credentials-dir only in the service unit; elsewhere set BDC_COMPANION_SECRET_STORE=encrypted-file and BDC_COMPANION_SECRETS_PASSPHRASE_FILE to a file holding a passphrase.',
  },
  SECRET_PASSPHRASE_WRONG: {
    cause: 'The encrypted secrets file could not be decrypted with the passphrase given.',
    fix: 'Use the passphrase the file was created with; the file was left untouched.',
  },
  SECRET_FILE_CORRUPT: {
    cause: 'The encrypted secrets file is damaged or not in the companion format.',
    fix: 'Restore it from a backup, or move it aside and sign in again.',
  },
  SECRET_STORE_MISMATCH: {
    cause: 'This config home keeps its secrets in another secret store than the one chosen now.',
    fix: 'Set BDC_COMPANION_SECRET_STORE to the store named in the message (and its passphrase or folder), as when the secrets were stored.',
  },
  SECRET_TOO_LARGE: {
    cause: 'The secret is larger than the secret store accepts.',
    fix: 'This is a bug for any secret the companion produces; report it with `bdc-companion diagnose`.',
    fixGui: 'This is a bug for any secret the companion produces; run Diagnostics and report it.',
  },
} as const satisfies CatalogueSection;
