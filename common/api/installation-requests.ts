import * as Type from 'typebox/type';
import { type Static } from 'typebox';
import type { Immutable } from '../models/immutable.js';
import {
  INSTALLATION_NAME_MAX_CHARS,
  PemTextSchema,
  RELAY_LISTEN_MAX_CHARS,
  RelaySettingsSchema,
  URL_MAX_CHARS,
} from '../models/installation.js';

/**
 * The requests that create and change an installation, derived from the installation's own
 * definition (`common/models/installation.ts`). They are looser than the stored form on purpose:
 * a request's name, URL and PEMs are checked by the use case afterwards, which answers with the
 * specific code (INSTALLATION_NAME_INVALID, PROBE_URL_INVALID, TRUST_*) instead of INPUT_INVALID.
 */

/** Requests carry at most this many CAs (the stored form allows a few more for hand edits). */
const REQUEST_CA_PEMS_MAX = 10;
/** A relay certificate chain or key: the 64 KiB a file of that kind may hold. */
const RELAY_TLS_PEM_MAX_CHARS = 64 * 1024;

export const UrlTextSchema = Type.String({ minLength: 1, maxLength: URL_MAX_CHARS });
export const PemListRequestSchema = Type.Array(PemTextSchema, { maxItems: REQUEST_CA_PEMS_MAX });
export const InstallationRefSchema = Type.Object(
  {
    /** Id or name. */
    installation: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const PlatformDraftSchema = Type.Object(
  {
    baseUrl: UrlTextSchema,
    installationId: Type.String({ minLength: 1, maxLength: 200 }),
    caPems: Type.Optional(PemListRequestSchema),
  },
  { additionalProperties: false },
);

export const InstallationDraftSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: INSTALLATION_NAME_MAX_CHARS }),
    baseUrl: UrlTextSchema,
    caPems: Type.Optional(PemListRequestSchema),
    allowLoopback: Type.Optional(Type.Boolean()),
    /** The explicit choice to let an intermediate-only CA in `caPems` anchor the chain. */
    allowPartialChain: Type.Optional(Type.Boolean()),
    platform: Type.Optional(PlatformDraftSchema),
  },
  { additionalProperties: false },
);

const relay = RelaySettingsSchema.properties;

export const InstallationUpdateSchema = Type.Object(
  {
    ...InstallationRefSchema.properties,
    /** Replaces the instance CAs (an empty list trusts the public roots only). */
    caPems: Type.Optional(PemListRequestSchema),
    /** Whether an intermediate CA alone may anchor the chain; unchanged when absent. */
    allowPartialChain: Type.Optional(Type.Boolean()),
    platform: Type.Optional(PlatformDraftSchema),
    relay: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(relay.enabled),
          listen: Type.Optional(Type.String({ minLength: 1, maxLength: RELAY_LISTEN_MAX_CHARS })),
          /** The relay URL as BDC reaches it; empty forgets it. */
          publicUrl: Type.Optional(Type.String({ maxLength: URL_MAX_CHARS })),
          /**
           * Serve BDC over HTTPS with this certificate chain and key — their content, read by the
           * browser or the desktop's file dialog, never a path for the server to open (docs/
           * operations.md, "Files the companion reads") — or `none` for plain HTTP again.
           */
          tls: Type.Optional(
            Type.Union([
              Type.Object(
                {
                  kind: Type.Literal('pem'),
                  certPem: Type.String({ minLength: 1, maxLength: RELAY_TLS_PEM_MAX_CHARS }),
                  keyPem: Type.String({ minLength: 1, maxLength: RELAY_TLS_PEM_MAX_CHARS }),
                },
                { additionalProperties: false },
              ),
              Type.Object({ kind: Type.Literal('none') }, { additionalProperties: false }),
            ]),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type InstallationRef = Immutable<Static<typeof InstallationRefSchema>>;
export type InstallationDraft = Immutable<Static<typeof InstallationDraftSchema>>;
export type InstallationUpdate = Immutable<Static<typeof InstallationUpdateSchema>>;
