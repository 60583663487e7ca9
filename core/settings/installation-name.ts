import { CompanionError } from '../../common/errors/companion-error.js';
import {
  INSTALLATION_ID_PATTERN,
  INSTALLATION_NAME_PATTERN,
} from '../../common/models/installation.js';

const NAME = new RegExp(INSTALLATION_NAME_PATTERN);
// Ids are looked up case-insensitively (`show <ID>` typed in capitals finds it too).
const UUID = new RegExp(INSTALLATION_ID_PATTERN, 'i');

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
