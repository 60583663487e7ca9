import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation, PlatformLink } from '../../common/models/installation.js';

/**
 * The installation's platform link (URL and platform installation id). The relay and the bridge
 * both need it; each refuses with its own code so the error names the part that cannot start.
 */
export function requirePlatformLink(
  installation: Installation,
  code: 'RELAY_NOT_CONFIGURED' | 'BRIDGE_NOT_CONFIGURED',
): PlatformLink {
  if (installation.platform === undefined) {
    throw new CompanionError(
      code,
      `Installation "${installation.name}" has no platform URL and installation id.`,
    );
  }
  return installation.platform;
}
