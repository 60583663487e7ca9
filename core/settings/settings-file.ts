import { DEFAULT_NETWORK_SETTINGS, type NetworkSettings } from '../../common/models/network.js';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { withFileLock } from './file-lock.js';
import { isInstallationId, validateInstallationName } from './installation-name.js';
import {
  SETTINGS_FILE_EXTENSION,
  SETTINGS_FILE_NAME,
  SETTINGS_SCHEMA_VERSION,
  emptySettingsDocument,
  migrateSettingsDocument,
  type SettingsDocument,
} from './settings-schema.js';
import type { CacheSettings, SettingsStore } from './settings-store.js';
import {
  SCHEMA_VIOLATION_PREFIX,
  parseSettingsText,
  serializeSettings,
} from './settings-validation.js';
import { readBoundedFileSync } from '../io/bounded-file.js';

type Json = Record<string, unknown>;

export type SettingsData = SettingsDocument & Record<string, unknown>;
type StoredInstallation = SettingsDocument['installations'][number];

export type SettingsConfOptions = ReturnType<typeof settingsConfOptions>;

/**
 * Opens the store over the settings file with these options: conf headless, electron-store (conf's
 * Electron subclass) on the desktop — the same file, schema, migrations and lock either way.
 */
export type SettingsStoreFactory = (options: SettingsConfOptions) => Conf<SettingsData>;

export interface OpenSettingsOptions {
  /** Injectable clock for migration and quarantine time stamps. */
  readonly now?: () => Date;
  /** conf by default. */
  readonly createStore?: SettingsStoreFactory;
}

/**
 * The conf options both shells use, so the desktop (electron-store, a conf subclass) and the
 * headless CLI read and write the same file the same way: one schema, mode 0600 (the file names
 * internal hosts and CAs), atomic writes, and never `clearInvalidConfig` — an invalid file is
 * surfaced, not wiped.
 */
export function settingsConfOptions(home: string) {
  return {
    cwd: home,
    configName: SETTINGS_FILE_NAME,
    fileExtension: SETTINGS_FILE_EXTENSION,
    // The schema is checked by TypeBox on every read and write, not by conf's `schema` option:
    // that one compiles the schema with ajv each time a process opens the settings.
    deserialize: parseSettingsText as (text: string) => SettingsData,
    serialize: serializeSettings,
    defaults: emptySettingsDocument() as SettingsData,
    configFileMode: 0o600,
    clearInvalidConfig: false,
    accessPropertiesByDotNotation: false,
    watch: false,
  } as const;
}

export function settingsFilePath(home: string): string {
  return join(home, `${SETTINGS_FILE_NAME}.${SETTINGS_FILE_EXTENSION}`);
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * Opens the settings of a config home. The file is migrated to the current schema first (the old
 * bytes kept next to it), then validated. A file that is not JSON or breaks the schema is moved
 * aside under a time-stamped name and reported as SETTINGS_CORRUPT — the next open starts empty —
 * so a damaged file is never silently replaced and never lost.
 */
export function openSettings(home: string, options: OpenSettingsOptions = {}): SettingsStore {
  const now = options.now ?? (() => new Date());
  const createStore = options.createStore;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const path = settingsFilePath(home);

  // Set when this open migrated the file: what the user wrote is what must be preserved.
  let unmigrated: string | undefined;
  const quarantine = (reason: string, cause?: unknown): never => {
    const preservedAs = `${path}.corrupt-${stamp(now())}`;
    try {
      if (unmigrated === undefined) renameSync(path, preservedAs);
      else {
        writeFileAtomic(preservedAs, unmigrated, 0o600);
        unlinkSync(path);
      }
    } catch (error) {
      throw new CompanionError(
        'SETTINGS_CORRUPT',
        `The settings file ${path} is unusable (${reason}) and could not be moved aside: ${describe(error)}.`,
        { data: { path, reason }, cause },
      );
    }
    throw new CompanionError(
      'SETTINGS_CORRUPT',
      `The settings file ${path} is unusable (${reason}). It was kept as ${preservedAs}; the companion now starts with empty settings.`,
      {
        hint: `Repair ${preservedAs} and move it back to ${path}, or add the installations again.`,
        data: { path, preservedAs, reason },
        cause,
      },
    );
  };

  // conf's constructor writes the defaults into a new or incomplete file: under the lock, or it
  // could write back what it read over an installation another process saved in between. A file
  // that is current and complete is not written at all, so opening it (every read-only command)
  // does not take the lock and never waits for a writer.
  const conf =
    openWithoutWriting(home, path, now) ??
    withFileLock(path, (): Conf<SettingsData> => {
      unmigrated = migrateFile(path, now, quarantine);
      try {
        const options = settingsConfOptions(home);
        return createStore === undefined ? new Conf<SettingsData>(options) : createStore(options);
      } catch (error) {
        if (isInvalidContent(error)) return quarantine(describe(error), error);
        throw writeFailed(path, error);
      }
    });
  unmigrated = undefined;

  const readAll = (): StoredInstallation[] => {
    let installations: StoredInstallation[];
    try {
      installations = conf.get('installations');
    } catch (error) {
      // Another process (or a person) damaged the file after it was opened.
      if (isInvalidContent(error)) return quarantine(describe(error), error);
      throw writeFailed(path, error);
    }
    const problem = duplicateProblem(installations);
    if (problem) return quarantine(problem);
    return installations;
  };

  const writeAll = (installations: readonly Installation[]): void => {
    const stored = installations.map(toStored);
    try {
      conf.set('installations', stored);
    } catch (error) {
      if (describe(error).startsWith(SCHEMA_VIOLATION_PREFIX)) {
        throw new CompanionError(
          'SETTINGS_VALUE_INVALID',
          `The installation cannot be saved: ${describe(error).replace(SCHEMA_VIOLATION_PREFIX, '')}.`,
          { cause: error },
        );
      }
      throw writeFailed(path, error);
    }
  };

  const list = (): Installation[] => readAll();

  const find = (nameOrId: string): Installation | undefined => {
    const all = list();
    if (isInstallationId(nameOrId)) {
      return all.find((installation) => installation.id === nameOrId.toLowerCase());
    }
    const wanted = nameOrId.toLowerCase();
    return all.find((installation) => installation.name.toLowerCase() === wanted);
  };

  return {
    path,
    listInstallations: () => list(),
    findInstallation: find,
    requireInstallation(nameOrId) {
      const found = find(nameOrId);
      if (found) return found;
      const names = list().map((installation) => installation.name);
      throw new CompanionError(
        'INSTALLATION_NOT_FOUND',
        names.length === 0
          ? `There is no installation "${nameOrId}"; none is configured yet.`
          : `There is no installation "${nameOrId}". Installations: ${names.join(', ')}.`,
        { data: { name: nameOrId, installations: names } },
      );
    },
    saveInstallation(installation) {
      validateInstallationName(installation.name);
      withFileLock(path, () => {
        const all = list();
        const clash = all.find(
          (other) =>
            other.id !== installation.id &&
            other.name.toLowerCase() === installation.name.toLowerCase(),
        );
        if (clash) {
          throw new CompanionError(
            'INSTALLATION_EXISTS',
            `An installation named "${clash.name}" already exists (${clash.baseUrl}).`,
            { data: { name: clash.name } },
          );
        }
        const index = all.findIndex((other) => other.id === installation.id);
        if (index === -1) all.push(installation);
        else all[index] = installation;
        writeAll(all);
      });
    },
    cacheSettings() {
      try {
        return { ...(conf.get('cache') ?? {}) };
      } catch (error) {
        if (isInvalidContent(error)) return quarantine(describe(error), error);
        throw writeFailed(path, error);
      }
    },
    saveCacheSettings(cache) {
      withFileLock(path, () => {
        try {
          conf.set('cache', JSON.parse(JSON.stringify(cache)) as CacheSettings);
        } catch (error) {
          if (describe(error).startsWith(SCHEMA_VIOLATION_PREFIX)) {
            throw new CompanionError(
              'SETTINGS_VALUE_INVALID',
              `The cache settings cannot be saved: ${describe(error).replace(SCHEMA_VIOLATION_PREFIX, '')}.`,
              { cause: error },
            );
          }
          throw writeFailed(path, error);
        }
      });
    },
    networkSettings() {
      try {
        return conf.get('network') ?? DEFAULT_NETWORK_SETTINGS;
      } catch (error) {
        if (isInvalidContent(error)) return quarantine(describe(error), error);
        throw writeFailed(path, error);
      }
    },
    saveNetworkSettings(network) {
      withFileLock(path, () => {
        try {
          conf.set('network', JSON.parse(JSON.stringify(network)) as NetworkSettings);
        } catch (error) {
          if (describe(error).startsWith(SCHEMA_VIOLATION_PREFIX)) {
            throw new CompanionError(
              'SETTINGS_VALUE_INVALID',
              `The network settings cannot be saved: ${describe(error).replace(SCHEMA_VIOLATION_PREFIX, '')}.`,
              { cause: error },
            );
          }
          throw writeFailed(path, error);
        }
      });
    },
    pinnedSecretStore() {
      try {
        return conf.get('secretStore')?.backend;
      } catch (error) {
        if (isInvalidContent(error)) return quarantine(describe(error), error);
        throw writeFailed(path, error);
      }
    },
    pinSecretStore(backend) {
      if (backend === 'memory') return;
      withFileLock(path, () => {
        if (conf.get('secretStore')?.backend === backend) return;
        try {
          conf.set('secretStore', { backend, since: now().toISOString() });
        } catch (error) {
          throw writeFailed(path, error);
        }
      });
    },
    removeInstallation(nameOrId) {
      return withFileLock(path, () => {
        const target = this.requireInstallation(nameOrId);
        writeAll(list().filter((installation) => installation.id !== target.id));
        return target;
      });
    },
  };
}

/**
 * conf for a file that needs no migration and already holds every top-level key of the defaults:
 * conf's constructor then writes nothing, so no lock is needed. Undefined for anything else (no
 * file, an old schema, missing keys, content conf refuses): the locked path handles those.
 */
function openWithoutWriting(
  home: string,
  path: string,
  now: () => Date,
): Conf<SettingsData> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readBoundedFileSync(path, 'settings').toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const document = parsed as Json;
  const outcome = migrateSettingsDocument(document, {
    now: now().toISOString(),
    newId: randomUUID,
  });
  if (outcome.kind !== 'current') return undefined;
  if (!Object.keys(emptySettingsDocument()).every((key) => key in document)) return undefined;
  try {
    return new Conf<SettingsData>(settingsConfOptions(home));
  } catch {
    return undefined;
  }
}

function isInvalidContent(error: unknown): boolean {
  return (
    error instanceof SyntaxError ||
    (error instanceof Error && error.message.startsWith(SCHEMA_VIOLATION_PREFIX))
  );
}

function writeFailed(path: string, error: unknown): CompanionError {
  if (error instanceof CompanionError) return error;
  return new CompanionError(
    'SETTINGS_WRITE_FAILED',
    `The settings file ${path} could not be read or written: ${describe(error)}.`,
    { data: { path }, cause: error },
  );
}

function duplicateProblem(installations: readonly StoredInstallation[]): string | undefined {
  const names = new Set<string>();
  const ids = new Set<string>();
  for (const installation of installations) {
    const name = installation.name.toLowerCase();
    const id = installation.id;
    if (names.has(name)) return `two installations are named "${installation.name}"`;
    if (ids.has(id)) return `two installations have the id ${id}`;
    names.add(name);
    ids.add(id);
  }
  return undefined;
}

/**
 * Brings an existing file to the current schema before conf validates it. The unmigrated bytes
 * are copied aside first, so a faulty migration can never cost the user their settings.
 */
function migrateFile(
  path: string,
  now: () => Date,
  quarantine: (reason: string) => never,
): string | undefined {
  let text: string;
  try {
    text = readBoundedFileSync(path, 'settings').toString('utf8');
  } catch (error) {
    if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return undefined;
    throw writeFailed(path, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    quarantine(`not valid JSON: ${describe(error)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    quarantine('the top level is not a JSON object');
  }
  const outcome = migrateSettingsDocument(parsed as Json, {
    now: now().toISOString(),
    newId: randomUUID,
  });
  if (outcome.kind === 'newer') {
    throw new CompanionError(
      'SETTINGS_NEWER_VERSION',
      `The settings file ${path} has schema version ${outcome.version}; this companion reads up to ${SETTINGS_SCHEMA_VERSION}. It was left untouched.`,
      { data: { path, version: outcome.version } },
    );
  }
  if (outcome.kind === 'current') return undefined;
  try {
    copyFileSync(path, `${path}.v${outcome.from}-${stamp(now())}.bak`);
    writeFileAtomic(path, `${JSON.stringify(outcome.document, undefined, '\t')}\n`, 0o600);
  } catch (error) {
    throw writeFailed(path, error);
  }
  return text;
}

/** JSON has no `undefined`: a field set to it is left out of the file (the schema's "absent"). */
function toStored(installation: Installation): StoredInstallation {
  return JSON.parse(JSON.stringify(installation)) as StoredInstallation;
}

export interface RecoveredSettings {
  readonly settings: SettingsStore;
  /** The SETTINGS_CORRUPT report when the file was moved aside on this open; show it to the user. */
  readonly recovered: CompanionError | undefined;
}

/**
 * For long-running shells (desktop, daemon): a corrupt file is moved aside and reported, and the
 * app still starts — on empty settings, with the report to show in a banner — instead of failing.
 * A file from a newer companion still fails: starting empty there would hide the user's data.
 */
export function openSettingsWithRecovery(
  home: string,
  options: OpenSettingsOptions = {},
): RecoveredSettings {
  try {
    return { settings: openSettings(home, options), recovered: undefined };
  } catch (error) {
    const preserved =
      error instanceof CompanionError &&
      error.code === 'SETTINGS_CORRUPT' &&
      typeof error.data?.['preservedAs'] === 'string';
    if (!preserved) throw error;
    return { settings: openSettings(home, options), recovered: error as CompanionError };
  }
}
