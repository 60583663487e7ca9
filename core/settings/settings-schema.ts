import * as Type from 'typebox/type';
import { type Static } from 'typebox';
import { DEFAULT_RELAY_SETTINGS, InstallationSchema } from '../../common/models/installation.js';
import type { Immutable } from '../../common/models/immutable.js';
import { NetworkSettingsSchema } from '../../common/models/network.js';

/**
 * The one JSON schema of the settings file, shared by the headless `conf` store
 * (`settings-file.ts`) and the desktop shell (electron-store is a thin subclass of conf and takes
 * the same options); TypeBox checks it on every read and write (`settings-validation.ts`). Secrets
 * never appear here: the schema has no
 * field that could hold one, and `additionalProperties: false` keeps it that way.
 *
 * Written with TypeBox, so the types of what the file holds are inferred from the schema itself;
 * the installation's part is the model's own definition (`common/models/installation.ts`). A new
 * settings field is added here once, as a schema, and its type follows.
 */
export const SETTINGS_SCHEMA_VERSION = 2;

export const SETTINGS_FILE_NAME = 'settings';
export const SETTINGS_FILE_EXTENSION = 'json';

/**
 * The push engine's clone cache and engine choice, shared by every installation (one cache folder,
 * one size cap). Absent fields mean the engine's defaults (5 min idle expiry, 10 GiB, 50 MiB).
 */
export const CacheSettingsSchema = Type.Object(
  {
    /** Folder of the clone cache; the OS cache folder by default. */
    directory: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    maxBytes: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Entries expire this long after their last use. */
    idleExpiryMs: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Repositories above this size are pushed with the git CLI (BITBUCKET_DC_GIT_FALLBACK_THRESHOLD_MB). */
    gitFallbackThresholdMb: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** Which secret store received this home's first secret; later runs must use the same. */
export const SecretStorePinSchema = Type.Object(
  {
    backend: Type.Union([
      Type.Literal('keytar'),
      Type.Literal('credentials-dir'),
      Type.Literal('encrypted-file'),
    ]),
    since: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

export const SettingsDocumentSchema = Type.Object(
  {
    schemaVersion: Type.Integer({ minimum: 1 }),
    installations: Type.Array(InstallationSchema),
    cache: Type.Optional(CacheSettingsSchema),
    secretStore: Type.Optional(SecretStorePinSchema),
    /** How connections leave the machine (docs/network.md); absent means `auto`. */
    network: Type.Optional(NetworkSettingsSchema),
  },
  { additionalProperties: false },
);

export type CacheSettings = Immutable<Static<typeof CacheSettingsSchema>>;
export type SecretStorePin = Static<typeof SecretStorePinSchema>;
/** What the settings file holds once migrated (conf's and electron-store's type parameter). */
export type SettingsDocument = Static<typeof SettingsDocumentSchema>;

type Json = Record<string, unknown>;

export interface MigrationContext {
  /** ISO time stamp for fields that record when something happened. */
  readonly now: string;
  readonly newId: () => string;
}

/**
 * One step of the settings format. Steps are versioned by the document's own `schemaVersion`
 * rather than by conf's app-version migrations (whose README warns of known bugs); each step is a
 * pure function from the previous document to the next, so it is tested without a file.
 */
export interface SettingsMigration {
  readonly to: number;
  readonly description: string;
  up(document: Json, context: MigrationContext): Json;
}

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Json)
    : {};
}

export const settingsMigrations: readonly SettingsMigration[] = [
  {
    to: 1,
    description:
      'Version the document; fill the defaults of installations written by hand or by configuration management (only name and baseUrl are required there).',
    up(document, context) {
      const installations = Array.isArray(document['installations'])
        ? document['installations']
        : [];
      return {
        ...document,
        schemaVersion: 1,
        installations: installations.map((entry: unknown) => {
          const installation = asObject(entry);
          return {
            ...installation,
            id: installation['id'] ?? context.newId(),
            caPems: installation['caPems'] ?? [],
            allowLoopback: installation['allowLoopback'] ?? false,
            auth: installation['auth'] ?? { kind: 'none' },
            relay: {
              ...DEFAULT_RELAY_SETTINGS,
              publicUrl: undefined,
              ...asObject(installation['relay']),
            },
            createdAt: installation['createdAt'] ?? context.now,
          };
        }),
      };
    },
  },
  {
    to: 2,
    description:
      'Add allowPartialChain to each installation, false: an intermediate-only CA is trusted only by explicit choice.',
    up(document) {
      const installations = Array.isArray(document['installations'])
        ? document['installations']
        : [];
      return {
        ...document,
        installations: installations.map((entry: unknown) => {
          const installation = asObject(entry);
          return { ...installation, allowPartialChain: installation['allowPartialChain'] ?? false };
        }),
      };
    },
  },
];

export type MigrationOutcome =
  | { readonly kind: 'current'; readonly document: Json }
  | { readonly kind: 'migrated'; readonly from: number; readonly document: Json }
  | { readonly kind: 'newer'; readonly version: number };

/** The document's version: an absent `schemaVersion` is the unversioned format (0). */
export function settingsDocumentVersion(document: Json): number {
  const version = document['schemaVersion'];
  return typeof version === 'number' && Number.isInteger(version) && version >= 0 ? version : 0;
}

/** Runs the steps the document has not had yet; refuses a document from a newer companion. */
export function migrateSettingsDocument(
  document: Json,
  context: MigrationContext,
  migrations: readonly SettingsMigration[] = settingsMigrations,
  target: number = SETTINGS_SCHEMA_VERSION,
): MigrationOutcome {
  const from = settingsDocumentVersion(document);
  if (from > target) return { kind: 'newer', version: from };
  if (from === target) return { kind: 'current', document };
  let migrated = document;
  for (const step of [...migrations].sort((a, b) => a.to - b.to)) {
    if (step.to > from && step.to <= target) {
      migrated = { ...step.up(migrated, context), schemaVersion: step.to };
    }
  }
  return { kind: 'migrated', from, document: JSON.parse(JSON.stringify(migrated)) as Json };
}

export function emptySettingsDocument(): Json {
  return { schemaVersion: SETTINGS_SCHEMA_VERSION, installations: [] };
}
