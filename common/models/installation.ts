import type { WatchSettings } from './watch.js';

/**
 * One Bitbucket Data Center instance the companion serves, as stored in settings.
 *
 * Only public material lives here: CA certificates are public, secrets (PAT, OAuth tokens and
 * client secret, webhook secret) are in the SecretStore under the installation's id.
 */
export interface Installation {
  readonly id: string;
  /** The admin's short name for it, used on the command line (`installation show <name>`). */
  readonly name: string;
  /** Base URL including any context path, without a trailing slash: `https://bdc.corp/bitbucket`. */
  readonly baseUrl: string;
  /** Private CA certificates (PEM) trusted in addition to the runtime's roots for this instance. */
  readonly caPems: readonly string[];
  /** Development setting: lets the instance resolve to loopback (simulator tests, the demo). */
  readonly allowLoopback: boolean;
  /**
   * Lets a CA in `caPems` anchor the chain although it is an intermediate (OpenSSL's partial
   * chain): for networks that hand out only their issuing CA. Only from the admin's explicit
   * choice (`installation add --partial-chain`, the wizard's "trust this intermediate").
   * Absent (files and objects from before the setting) means false.
   */
  readonly allowPartialChain?: boolean;
  readonly platform: PlatformLink | undefined;
  readonly auth: InstallationAuth;
  readonly relay: RelaySettings;
  readonly createdAt: string;
}

export interface PlatformLink {
  /** `https://platform.ankra.io`; deliveries go to `{baseUrl}/webhooks/bitbucket-dc/{installationId}`. */
  readonly baseUrl: string;
  readonly installationId: string;
  /** Extra CAs for the platform side (TLS-inspecting corporate proxies, tests). */
  readonly caPems: readonly string[];
}

export type InstallationAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'pat'; readonly user: string; readonly verifiedAt: string }
  | {
      readonly kind: 'oauth';
      readonly clientId: string;
      readonly redirect: 'custom' | 'localhost';
      readonly user: string | undefined;
    };

export interface RelaySettings {
  readonly enabled: boolean;
  /** `127.0.0.1:8787` or `0.0.0.0:8787`: where BDC posts its webhooks. */
  readonly listen: string;
  /** The relay URL as BDC sees it, registered in BDC's webhooks. */
  readonly publicUrl: string | undefined;
  readonly allowedEvents: readonly string[];
  /**
   * Serve HTTPS to BDC with this certificate: paths of a PEM chain and its unencrypted PEM key,
   * read at each start (so a renewed certificate needs only a restart). Absent: plain HTTP.
   */
  readonly tls?: RelayTlsFiles;
  /**
   * Watch mode (`relay watch`): the companion polls these repositories' refs and sends the
   * events itself, for a BDC that cannot reach the relay. Absent: off.
   */
  readonly watch?: WatchSettings;
}

export interface RelayTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export const DEFAULT_RELAY_SETTINGS: RelaySettings = {
  enabled: false,
  listen: '127.0.0.1:8787',
  publicUrl: undefined,
  allowedEvents: ['repo:refs_changed'],
};
