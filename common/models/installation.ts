import * as Type from 'typebox/type';
import { type Static } from 'typebox';
import { BridgePolicySchema } from './bridge.js';
import type { Immutable } from './immutable.js';
import { WatchSettingsSchema } from './watch.js';

/**
 * One Bitbucket Data Center instance the companion serves, as stored in settings — defined once,
 * as a JSON schema (TypeBox). The TypeScript type below, the settings file's schema
 * (`core/settings/settings-schema.ts`) and the API's request checks
 * (`common/api/request-schemas.ts`) are all derived from these definitions, so a field or a
 * bound changes in one place.
 *
 * Only public material lives here: CA certificates are public, secrets (PAT, OAuth tokens and
 * client secret, webhook secret) are in the SecretStore under the installation's id.
 */

/** The size cap of one PEM text, wherever it arrives (64 KiB). */
export const PEM_MAX_CHARS = 64 * 1024;
export const URL_MAX_CHARS = 2048;
export const FILE_PATH_MAX_CHARS = 4096;

/**
 * Names are typed on command lines and shown in service units, so they are short and shell-safe.
 * They must not look like an id, or `show <name-or-id>` would be ambiguous (checked in
 * `core/settings/installation-name.ts`).
 */
export const INSTALLATION_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const INSTALLATION_NAME_MAX_CHARS = 64;
export const INSTALLATION_ID_PATTERN =
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** A PEM text as it arrives in a request; what it holds is checked by `core/trust`. */
export const PemTextSchema = Type.String({ minLength: 1, maxLength: PEM_MAX_CHARS });
/** A stored CA certificate: it was validated before it was saved. */
const StoredPemSchema = Type.String({
  maxLength: PEM_MAX_CHARS,
  pattern: '-----BEGIN CERTIFICATE-----',
});
export const STORED_CA_PEMS_MAX = 16;
const StoredPemListSchema = Type.Array(StoredPemSchema, { maxItems: STORED_CA_PEMS_MAX });
const HttpsUrlSchema = Type.String({ maxLength: URL_MAX_CHARS, pattern: '^https://[^\\s]+$' });

export const PlatformLinkSchema = Type.Object(
  {
    /** `https://platform.ankra.io`; deliveries go to `{baseUrl}/webhooks/bitbucket-dc/{installationId}`. */
    baseUrl: HttpsUrlSchema,
    installationId: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/?#\\s]+$' }),
    /** Extra CAs for the platform side (TLS-inspecting corporate proxies, tests). */
    caPems: StoredPemListSchema,
  },
  { additionalProperties: false },
);

export const InstallationAuthSchema = Type.Union([
  Type.Object({ kind: Type.Literal('none') }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('pat'),
      user: Type.String({ minLength: 1, maxLength: 255 }),
      verifiedAt: Type.String({ minLength: 1 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('oauth'),
      clientId: Type.String({ minLength: 1, maxLength: 255 }),
      redirect: Type.Union([Type.Literal('custom'), Type.Literal('localhost')]),
      user: Type.Optional(Type.String({ maxLength: 255 })),
    },
    { additionalProperties: false },
  ),
]);

/** The relay's `listen` address: `127.0.0.1:8787` or `0.0.0.0:8787`. */
export const RELAY_LISTEN_MAX_CHARS = 300;

export const RelayTlsFilesSchema = Type.Object(
  {
    certFile: Type.String({ minLength: 1, maxLength: FILE_PATH_MAX_CHARS }),
    keyFile: Type.String({ minLength: 1, maxLength: FILE_PATH_MAX_CHARS }),
  },
  { additionalProperties: false },
);

export const RelaySettingsSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    /** Where BDC posts its webhooks. */
    listen: Type.String({ minLength: 3, maxLength: RELAY_LISTEN_MAX_CHARS }),
    /** The relay URL as BDC sees it, registered in BDC's webhooks. */
    publicUrl: Type.Optional(
      Type.String({ maxLength: URL_MAX_CHARS, pattern: '^https?://[^\\s]+$' }),
    ),
    allowedEvents: Type.Array(Type.String({ maxLength: 100 })),
    /**
     * Serve HTTPS to BDC with this certificate: paths of a PEM chain and its unencrypted PEM key,
     * read at each start (so a renewed certificate needs only a restart). Absent: plain HTTP.
     */
    tls: Type.Optional(RelayTlsFilesSchema),
    /**
     * Watch mode (`relay watch`): the companion polls these repositories' refs and sends the
     * events itself, for a BDC that cannot reach the relay. Absent: off.
     */
    watch: Type.Optional(WatchSettingsSchema),
  },
  { additionalProperties: false },
);

export const InstallationSchema = Type.Object(
  {
    id: Type.String({ pattern: INSTALLATION_ID_PATTERN }),
    /** The admin's short name for it, used on the command line (`installation show <name>`). */
    name: Type.String({ pattern: INSTALLATION_NAME_PATTERN }),
    /** Base URL including any context path, without a trailing slash: `https://bdc.corp/bitbucket`. */
    baseUrl: HttpsUrlSchema,
    /** Private CA certificates (PEM) trusted in addition to the runtime's roots for this instance. */
    caPems: StoredPemListSchema,
    /** Development setting: lets the instance resolve to loopback (simulator tests, the demo). */
    allowLoopback: Type.Boolean(),
    /**
     * Lets a CA in `caPems` anchor the chain although it is an intermediate (OpenSSL's partial
     * chain): for networks that hand out only their issuing CA. Only from the admin's explicit
     * choice (`installation add --partial-chain`, the wizard's "trust this intermediate").
     * Absent (files and objects from before the setting) means false.
     */
    allowPartialChain: Type.Optional(Type.Boolean()),
    platform: Type.Optional(PlatformLinkSchema),
    auth: InstallationAuthSchema,
    relay: RelaySettingsSchema,
    /** What the platform may read and push through the bridge; absent: reads by the default rules, no pushes. */
    bridge: Type.Optional(BridgePolicySchema),
    createdAt: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

export type Installation = Immutable<Static<typeof InstallationSchema>>;
export type PlatformLink = Immutable<Static<typeof PlatformLinkSchema>>;
export type InstallationAuth = Immutable<Static<typeof InstallationAuthSchema>>;
export type RelaySettings = Immutable<Static<typeof RelaySettingsSchema>>;
export type RelayTlsFiles = Immutable<Static<typeof RelayTlsFilesSchema>>;

export const DEFAULT_RELAY_SETTINGS: RelaySettings = {
  enabled: false,
  listen: '127.0.0.1:8787',
  allowedEvents: ['repo:refs_changed'],
};
