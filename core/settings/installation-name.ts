import { CompanionError } from '../../common/errors/companion-error.js';

/**
 * Names are typed on command lines and shown in service units, so they are short and shell-safe.
 * They must not look like an id, or `show <name-or-id>` would be ambiguous.
 */
export const INSTALLATION_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

const NAME = new RegExp(INSTALLATION_NAME_PATTERN);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isInstallationId(value: string): boolean {
  return UUID.test(value);
}

export function validateInstallationName(name: string): string {
  if (!NAME.test(name) || isInstallationId(name)) {
    throw new CompanionError(
      'INSTALLATION_NAME_INVALID',
      `"${name.slice(0, 80)}" is not a valid installation name.`,
    );
  }
  return name;
}
