import type { HintSurface } from '../../common/errors/hint-surface.js';
import type { Installation } from '../../common/models/installation.js';
import { localInterfaces } from './local-interfaces.js';
import {
  assessRelayUrl,
  type NetworkInterfaceAddress,
  type RelayUrlAssessment,
} from './relay-url-check.js';

/**
 * The relay URL check for an installation's URL as the service shows it: throws for a URL of the
 * wrong form, returns the warnings for addresses BDC likely cannot reach, worded for the GUI (the
 * service answers the desktop app and `serve`). Without a platform link there is no expected path
 * to check, so only the address is judged.
 */
export function assessRelayUrlOf(
  installation: Pick<Installation, 'platform'>,
  url: string,
  interfaces: readonly NetworkInterfaceAddress[] = localInterfaces(),
): readonly string[] {
  return assessRelayUrlFor(installation, url, interfaces, 'gui').warnings;
}

/**
 * The same check, with the URL as it will be registered (trimmed), its warnings worded for
 * `surface`, where they are shown (a hint speaks where it is shown).
 */
export function assessRelayUrlFor(
  installation: Pick<Installation, 'platform'>,
  url: string,
  interfaces: readonly NetworkInterfaceAddress[] = localInterfaces(),
  surface: HintSurface = 'gui',
): RelayUrlAssessment {
  const platformId = installation.platform?.installationId ?? lastPathSegment(url);
  return assessRelayUrl(url, platformId, interfaces, surface);
}

/** For showing the relay endpoint: a URL that would be refused is one more warning, not a failure. */
export function relayUrlWarnings(
  installation: Pick<Installation, 'platform'>,
  url: string,
  interfaces?: readonly NetworkInterfaceAddress[],
): readonly string[] {
  try {
    return assessRelayUrlOf(installation, url, interfaces);
  } catch (error) {
    return [(error as Error).message];
  }
}

function lastPathSegment(url: string): string {
  try {
    const segments = new URL(url).pathname.split('/').filter((part) => part !== '');
    return decodeURIComponent(segments[segments.length - 1] ?? '');
  } catch {
    return '';
  }
}
