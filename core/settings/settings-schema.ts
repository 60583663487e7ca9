import { DEFAULT_RELAY_SETTINGS } from '../../common/models/installation.js';
import {
  MAX_WATCH_INTERVAL_SECONDS,
  MIN_WATCH_INTERVAL_SECONDS,
} from '../../common/models/watch.js';
import { INSTALLATION_NAME_PATTERN } from './installation-name.js';

/**
 * The one JSON schema of the settings file, shared by the headless `conf` store
 * (`settings-file.ts`) and the desktop shell (electron-store is a thin subclass of conf and takes
 * the same `schema`, `rootSchema` and migrations). Secrets never appear here: the schema has no
 * field that could hold one, and `additionalProperties: false` keeps it that way.
 */
export const SETTINGS_SCHEMA_VERSION = 2;

export const SETTINGS_FILE_NAME = 'settings';
export const SETTINGS_FILE_EXTENSION = 'json';

const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const PEM = { type: 'string', maxLength: 65_536, pattern: '-----BEGIN CERTIFICATE-----' };
const HTTPS_URL = { type: 'string', maxLength: 2048, pattern: '^https://[^\\s]+$' };

const authSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: { kind: { const: 'none' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'user', 'verifiedAt'],
      properties: {
        kind: { const: 'pat' },
        user: { type: 'string', minLength: 1, maxLength: 255 },
        verifiedAt: { type: 'string', minLength: 1 },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'clientId', 'redirect'],
      properties: {
        kind: { const: 'oauth' },
        clientId: { type: 'string', minLength: 1, maxLength: 255 },
        redirect: { enum: ['custom', 'localhost'] },
        user: { type: 'string', maxLength: 255 },
      },
    },
  ],
} as const;

export const installationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'baseUrl', 'caPems', 'allowLoopback', 'auth', 'relay', 'createdAt'],
  properties: {
    id: { type: 'string', pattern: UUID_PATTERN },
    name: { type: 'string', pattern: INSTALLATION_NAME_PATTERN },
    baseUrl: HTTPS_URL,
    caPems: { type: 'array', maxItems: 16, items: PEM },
    allowLoopback: { type: 'boolean' },
    allowPartialChain: { type: 'boolean' },
    platform: {
      type: 'object',
      additionalProperties: false,
      required: ['baseUrl', 'installationId', 'caPems'],
      properties: {
        baseUrl: HTTPS_URL,
        installationId: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/?#\\s]+$' },
        caPems: { type: 'array', maxItems: 16, items: PEM },
      },
    },
    auth: authSchema,
    relay: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled', 'listen', 'allowedEvents'],
      properties: {
        enabled: { type: 'boolean' },
        listen: { type: 'string', minLength: 3, maxLength: 300 },
        publicUrl: { type: 'string', maxLength: 2048, pattern: '^https?://[^\\s]+$' },
        allowedEvents: { type: 'array', items: { type: 'string', maxLength: 100 } },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['certFile', 'keyFile'],
          properties: {
            certFile: { type: 'string', minLength: 1, maxLength: 4096 },
            keyFile: { type: 'string', minLength: 1, maxLength: 4096 },
          },
        },
        watch: {
          type: 'object',
          additionalProperties: false,
          required: ['repositories', 'projects', 'intervalSeconds'],
          properties: {
            repositories: {
              type: 'array',
              maxItems: 10_000,
              items: { type: 'string', maxLength: 300, pattern: '^[^/\\s]+/[^/\\s]+$' },
            },
            projects: {
              type: 'array',
              maxItems: 1_000,
              items: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/\\s]+$' },
            },
            intervalSeconds: {
              type: 'integer',
              minimum: MIN_WATCH_INTERVAL_SECONDS,
              maximum: MAX_WATCH_INTERVAL_SECONDS,
            },
          },
        },
      },
    },
    createdAt: { type: 'string', minLength: 1 },
  },
} as const;

/** conf's `schema` option: the `properties` of the root object. */
export const settingsSchema = {
  schemaVersion: { type: 'integer', minimum: 1 },
  installations: { type: 'array', items: installationSchema },
  /** The push engine's clone cache; absent fields take the engine's defaults. */
  cache: {
    type: 'object',
    additionalProperties: false,
    properties: {
      directory: { type: 'string', minLength: 1, maxLength: 4096 },
      maxBytes: { type: 'integer', minimum: 0 },
      idleExpiryMs: { type: 'integer', minimum: 0 },
      gitFallbackThresholdMb: { type: 'number', minimum: 0 },
    },
  },
  /** Which secret store received this home's first secret; later runs must use the same. */
  secretStore: {
    type: 'object',
    additionalProperties: false,
    required: ['backend', 'since'],
    properties: {
      backend: { enum: ['keytar', 'credentials-dir', 'encrypted-file'] },
      since: { type: 'string', minLength: 1 },
    },
  },
} as const;

/** conf's `rootSchema` option. */
export const settingsRootSchema = {
  additionalProperties: false,
  required: ['schemaVersion', 'installations'],
} as const;

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
