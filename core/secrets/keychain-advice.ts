import { CompanionError } from '../../common/errors/companion-error.js';
import type { SecretStoreFailure } from './secret-store-errors.js';
import type { SecretStoreBackend } from './secret-store.js';

/** The variables that choose and unlock a headless store (docs/installations-and-sign-in.md). */
const STORE_VARIABLE = 'BDC_COMPANION_SECRET_STORE';
const PASSPHRASE_FILE_VARIABLE = 'BDC_COMPANION_SECRETS_PASSPHRASE_FILE';

/**
 * What this process can see of the secret stores when the OS keychain did not answer: whether it
 * has a D-Bus session at all (the Secret Service lives on it), and whether systemd handed it a
 * credentials folder (only inside a service unit with `LoadCredential=`).
 */
export interface KeychainSituation {
  readonly sessionBus: 'unset' | 'set';
  /** The folder systemd set for this process; undefined outside a unit with credentials. */
  readonly credentialsDirectory: string | undefined;
}

export function keychainSituation(
  env: Readonly<Record<string, string | undefined>>,
): KeychainSituation {
  const bus = env['DBUS_SESSION_BUS_ADDRESS']?.trim();
  const credentials = env['CREDENTIALS_DIRECTORY']?.trim();
  return {
    sessionBus: bus ? 'set' : 'unset',
    credentialsDirectory: credentials ? credentials : undefined,
  };
}

/**
 * The error for "no OS keychain here" that names the store that does work on this machine, with
 * its exact variables: `credentials-dir` when systemd gave this process a credentials folder,
 * otherwise `encrypted-file` with a passphrase file. When this config home already keeps its
 * secrets in the keychain, switching would hide them (SECRET_STORE_MISMATCH), so then the advice
 * is to reach the keychain instead.
 */
export function noKeychainError(
  failure: SecretStoreFailure,
  situation: KeychainSituation,
  pinned: SecretStoreBackend | undefined,
): CompanionError {
  const why =
    situation.sessionBus === 'unset'
      ? 'this process has no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set, as over SSH or in a service), and the Secret Service is reached through it'
      : 'the D-Bus session named by DBUS_SESSION_BUS_ADDRESS does not answer or offers no Secret Service';
  const message = `No OS keychain is reachable: ${why}. (${failure.detail})`;
  const data = {
    reason: failure.reason,
    sessionBus: situation.sessionBus,
    credentialsDirectory: situation.credentialsDirectory !== undefined,
  };
  if (pinned === 'keytar') {
    const hint =
      'The secrets of this config home are in the OS keychain: run the command in the desktop session that owns it, or in a D-Bus session with an unlocked gnome-keyring (dbus-run-session, then gnome-keyring-daemon --unlock).';
    return new CompanionError('SECRET_STORE_UNAVAILABLE', message, {
      hint,
      hintGui:
        'The secrets of this config home are in the OS keychain: start the companion in the desktop session that owns it.',
      data: { ...data, recommended: 'keytar' },
    });
  }
  if (situation.credentialsDirectory !== undefined) {
    const hint = `systemd gave this process a credentials folder (CREDENTIALS_DIRECTORY=${situation.credentialsDirectory}): set ${STORE_VARIABLE}=credentials-dir in the same unit.`;
    return new CompanionError('SECRET_STORE_UNAVAILABLE', message, {
      hint,
      hintGui: hint,
      data: { ...data, recommended: 'credentials-dir' },
    });
  }
  return new CompanionError('SECRET_STORE_UNAVAILABLE', message, {
    hint: `Use the encrypted-file store here: write a passphrase to a file only you can read (umask 077; head -c 32 /dev/urandom | base64 > ~/.config/bdc-companion/passphrase), then set ${STORE_VARIABLE}=encrypted-file and ${PASSPHRASE_FILE_VARIABLE}=<that file> for every bdc-companion command and the service. (credentials-dir works only inside a systemd unit with LoadCredential=.)`,
    hintGui: `Use the encrypted-file store here: write a passphrase to a file only you can read, then start the companion with ${STORE_VARIABLE}=encrypted-file and ${PASSPHRASE_FILE_VARIABLE}=<that file> in its environment.`,
    data: { ...data, recommended: 'encrypted-file' },
  });
}
