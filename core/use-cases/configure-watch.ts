import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import {
  DEFAULT_WATCH_INTERVAL_SECONDS,
  MAX_WATCH_INTERVAL_SECONDS,
  MIN_WATCH_INTERVAL_SECONDS,
  type WatchSettings,
} from '../../common/models/watch.js';
import type { SettingsStore } from '../settings/settings-store.js';

/** What an admin asks for: repositories and projects to watch and an interval, or off. */
export type WatchRequest =
  | {
      readonly kind: 'on';
      readonly repositories: readonly string[];
      readonly projects: readonly string[];
      readonly intervalSeconds?: number;
    }
  | { readonly kind: 'off' };

/** A key or slug as BDC accepts them in a URL path: no separators, spaces or query characters. */
const PART = /^[^/\s?#%\\]{1,255}$/;

/** `PROJECT/slug`, checked and returned as given (BDC matches keys case-insensitively). */
export function parseWatchedRepository(value: string): string {
  const [project, slug, extra] = value.trim().split('/');
  if (
    project === undefined ||
    slug === undefined ||
    extra !== undefined ||
    !PART.test(project) ||
    !PART.test(slug)
  ) {
    throw new CompanionError(
      'WATCH_TARGET_INVALID',
      `"${value}" is not a repository as PROJECT/slug.`,
      { data: { value } },
    );
  }
  return `${project}/${slug}`;
}

export function parseWatchedProject(value: string): string {
  const key = value.trim();
  if (!PART.test(key)) {
    throw new CompanionError('WATCH_TARGET_INVALID', `"${value}" is not a project key.`, {
      data: { value },
    });
  }
  return key;
}

/** The interval an admin chose: whole seconds from 5 to 3600. */
export function parseWatchInterval(value: number): number {
  if (
    !Number.isInteger(value) ||
    value < MIN_WATCH_INTERVAL_SECONDS ||
    value > MAX_WATCH_INTERVAL_SECONDS
  ) {
    throw new CompanionError(
      'WATCH_INTERVAL_INVALID',
      `The watch interval must be a whole number of seconds from ${MIN_WATCH_INTERVAL_SECONDS} to ${MAX_WATCH_INTERVAL_SECONDS}; ${String(value)} is not.`,
      { data: { value } },
    );
  }
  return value;
}

/** The settings a request leads to (pure: checked before anything is saved). */
export function watchSettingsFor(
  request: WatchRequest,
  current: WatchSettings | undefined,
): WatchSettings | undefined {
  if (request.kind === 'off') return undefined;
  const repositories = [...new Set(request.repositories.map(parseWatchedRepository))];
  const projects = [...new Set(request.projects.map(parseWatchedProject))];
  if (repositories.length === 0 && projects.length === 0) {
    throw new CompanionError(
      'WATCH_NOTHING_TO_WATCH',
      'Watch mode needs at least one repository or project to watch.',
    );
  }
  const intervalSeconds = parseWatchInterval(
    request.intervalSeconds ?? current?.intervalSeconds ?? DEFAULT_WATCH_INTERVAL_SECONDS,
  );
  return { repositories, projects, intervalSeconds };
}

/**
 * The use case behind `relay watch` (and the relay step's "watch instead"): stores what to
 * watch in the installation's settings, or turns watch mode off. A running relay applies a
 * changed list or interval at its next round, and starts or stops its watch within its settings
 * check (`core/relay/installation-relay.ts`; the desktop and `serve` apply their own change at once).
 */
export function configureWatch(
  settings: SettingsStore,
  name: string,
  request: WatchRequest,
): Installation {
  const installation = settings.requireInstallation(name);
  const watch = watchSettingsFor(request, installation.relay.watch);
  const { watch: _previous, ...relay } = installation.relay;
  const updated: Installation = {
    ...installation,
    relay: watch === undefined ? relay : { ...relay, watch },
  };
  settings.saveInstallation(updated);
  return updated;
}
