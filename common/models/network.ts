import * as Type from 'typebox/type';
import { type Static } from 'typebox';
import type { ErrorShape } from '../errors/error-shape.js';
import type { Immutable } from './immutable.js';
import { URL_MAX_CHARS } from './installation.js';

/**
 * How the companion's connections leave the machine, as stored in settings (defined once, as a
 * JSON schema). The precedence between this setting, the proxy variables and the system's proxy
 * is decided in one place (`core/net/network-routing.ts`) and documented in docs/network.md.
 *
 * Only public material lives here: proxy credentials are in the SecretStore, so a proxy URL
 * cannot carry `user:password@` (the pattern refuses `@`).
 */
export const PROXY_URL_PATTERN = '^https?://[^\\s/@?#]+/?$';
export const PAC_URL_PATTERN = '^https?://[^\\s]+$';
export const NO_PROXY_MAX_CHARS = 4096;

export const ProxySettingSchema = Type.Union([
  /** Proxy variables when set, else the system's proxy (desktop), else direct. */
  Type.Object({ kind: Type.Literal('auto') }, { additionalProperties: false }),
  /** Never a proxy, whatever the variables or the system say. */
  Type.Object({ kind: Type.Literal('direct') }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('manual'),
      /** `http://proxy.corp:3128` or `https://…`; credentials are in the secret store. */
      url: Type.String({ maxLength: URL_MAX_CHARS, pattern: PROXY_URL_PATTERN }),
      /** Hosts reached directly, in NO_PROXY syntax (docs/network.md, "Bypass list"). */
      noProxy: Type.String({ maxLength: NO_PROXY_MAX_CHARS }),
      /** Whether a user name and password for the proxy are in the secret store. */
      credentials: Type.Boolean(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('pac'),
      /** Where the proxy auto-config script is fetched from (`FindProxyForURL`). */
      url: Type.String({ maxLength: URL_MAX_CHARS, pattern: PAC_URL_PATTERN }),
    },
    { additionalProperties: false },
  ),
]);

export const NetworkSettingsSchema = Type.Object(
  { proxy: ProxySettingSchema },
  { additionalProperties: false },
);

export type ProxySetting = Immutable<Static<typeof ProxySettingSchema>>;
export type NetworkSettings = Immutable<Static<typeof NetworkSettingsSchema>>;

export const DEFAULT_NETWORK_SETTINGS: NetworkSettings = { proxy: { kind: 'auto' } };

/** Which rule decided a route (docs/network.md, "Precedence"). */
export type RouteSource = 'setting' | 'pac' | 'environment' | 'system' | 'default';

/**
 * The route one URL takes, safe to show: a proxy is named by scheme, host and port only, never
 * with its credentials. `answer` is the PAC (or system) answer as it was given.
 */
export type RouteView =
  | { readonly kind: 'direct'; readonly source: RouteSource; readonly answer?: string }
  | {
      readonly kind: 'proxy';
      readonly proxy: string;
      readonly source: RouteSource;
      readonly answer?: string;
      /** Credentials are sent to this proxy (never shown). */
      readonly authenticated: boolean;
    };

const SOURCE_WORDS: Readonly<Record<RouteSource, string>> = {
  setting: 'Network setting',
  pac: 'PAC file',
  environment: 'proxy variables',
  system: 'system proxy settings',
  default: 'no proxy configured',
};

/** One line for a route: "direct", "via proxy http://p:3128", `PAC said "…": …`. */
export function describeRoute(route: RouteView): string {
  const where = route.kind === 'direct' ? 'direct' : `via proxy ${route.proxy}`;
  if (route.answer !== undefined) {
    const who = route.source === 'pac' ? 'PAC said' : 'the system said';
    return `${who} "${route.answer}": ${where}`;
  }
  return route.source === 'default' ? where : `${where} (${SOURCE_WORDS[route.source]})`;
}

/** Which connection of an installation a route is for. */
export type RouteRole = 'bdc' | 'platform' | 'relay';

/** The route one of an installation's connections takes now, or why it cannot be decided. */
export interface NetworkRouteRow {
  readonly role: RouteRole;
  /** The address (no credentials, no query). */
  readonly url: string;
  readonly route: RouteView | undefined;
  /** `describeRoute(route)`, or the error's message. */
  readonly description: string;
  readonly error: ErrorShape | undefined;
}

/** The Network section: the setting, what the environment and system say, and each route. */
export interface NetworkOverview {
  readonly setting: ProxySetting;
  /** The proxy variables of this process, credentials removed (`undefined`: not set). */
  readonly environment: {
    readonly httpsProxy: string | undefined;
    readonly httpProxy: string | undefined;
    readonly noProxy: string | undefined;
  };
  /** Whether the system's proxy settings are consulted here (the desktop app). */
  readonly systemProxy: boolean;
  readonly installations: readonly {
    readonly id: string;
    readonly name: string;
    /** The CAs trusted for the platform side (a TLS-inspecting proxy's CA). */
    readonly platformCa: readonly {
      readonly subject: string;
      readonly sha256: string;
      readonly notAfter: string;
    }[];
    /** The platform link, for replacing its CA (`updateInstallation`). */
    readonly platform: { readonly baseUrl: string; readonly installationId: string } | undefined;
    readonly routes: readonly NetworkRouteRow[];
  }[];
}

/** A change of the Network setting; credentials go to the secret store, never to settings. */
export type NetworkUpdate = {
  readonly proxy:
    | { readonly kind: 'auto' }
    | { readonly kind: 'direct' }
    | { readonly kind: 'pac'; readonly url: string }
    | {
        readonly kind: 'manual';
        readonly url: string;
        readonly noProxy?: string;
        /** New credentials; both or neither. */
        readonly username?: string;
        readonly password?: string;
        /** Keep the stored credentials (the form never shows them back). */
        readonly keepCredentials?: boolean;
      };
};
