import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { arch, platform, release, type as osType } from 'node:os';
import type { CertificateSummary } from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import type { ProbeResult } from '../../common/models/probe.js';
import { SECRET_KINDS } from '../../common/models/secret-kind.js';
import { COMPANION_VERSION } from '../../common/version.js';
import { toErrorShape } from '../../common/errors/companion-error.js';
import { defaultRedactor, type Redactor } from '../logging/redact.js';
import { resolveProxySettings } from '../net/proxy-settings.js';
import { activeNetworkRouting } from '../net/active-routing.js';
import { proxyOrigin, type NetworkRouting } from '../net/network-routing.js';
import { environmentRouting } from '../net/open-network-routing.js';
import { displayPacUrl } from '../net/pac-file.js';
import { installationRoutes } from '../use-cases/network-settings.js';
import type { NetworkRouteRow, ProxySetting } from '../../common/models/network.js';
import { tlsEnvironmentNotes } from '../net/tls-environment.js';
import { installationNetworkOptions } from '../net/installation-network.js';
import { runProbe, type ProbeOptions } from '../probe/run-probe.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { openSettings } from '../settings/settings-file.js';
import type { CacheSettings, SettingsStore } from '../settings/settings-store.js';
import { summarizeCertificate } from '../trust/certificate-summary.js';
import {
  readDatabaseExtract,
  readLogExtract,
  type DatabaseExtract,
} from './diagnostics-sources.js';

export const DIAGNOSTICS_FORMAT = 'bdc-companion-diagnostics';
export const DIAGNOSTICS_FORMAT_VERSION = 1;

export interface DiagnosticsOptions {
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Defaults to the settings file of `home`. */
  readonly settings?: SettingsStore;
  /**
   * The secret store, only so every stored secret value is registered with the redactor before
   * anything is collected (values never enter the bundle). A function is called lazily; when it
   * fails, the failure is reported in the bundle and collection goes on with the patterns alone.
   */
  readonly secretStore?: SecretStore | (() => Promise<SecretStore>);
  /** Probe each installation (default true). */
  readonly probe?: boolean;
  readonly probeDeadlineMs?: number;
  readonly historyRows?: number;
  readonly deliveryRows?: number;
  /** Bodies and platform responses are cut to this many bytes. */
  readonly bodyBytes?: number;
  readonly logLines?: number;
  readonly redactor?: Redactor;
  readonly clock?: () => Date;
  /** Extra probe options (tests pass a resolver). */
  readonly probeOptions?: Pick<ProbeOptions, 'resolver' | 'stepTimeoutMs'>;
  /** The routing whose routes are reported; the process's installed one by default. */
  readonly routing?: NetworkRouting;
}

/**
 * The route of one connection: `route` is the words the Network section shows ("direct",
 * "via proxy http://p:3128 (Network setting)", `PAC said "…": …`), never a credential.
 */
export type ProxyDecision = NetworkRouteRow;

export interface InstallationDiagnostics {
  readonly id: string;
  readonly name: string;
  readonly baseUrl: string;
  readonly allowLoopback: boolean;
  readonly auth: Readonly<Record<string, unknown>>;
  readonly relay: Installation['relay'];
  readonly caCertificates: readonly (CertificateSummary | { readonly invalid: string })[];
  readonly platform:
    | {
        readonly baseUrl: string;
        readonly installationId: string;
        readonly caCertificates: readonly (CertificateSummary | { readonly invalid: string })[];
      }
    | undefined;
  readonly proxy: readonly ProxyDecision[];
  readonly probe: ProbeResult | { readonly skipped: string } | { readonly failed: unknown };
}

export interface DiagnosticsBundle {
  readonly format: typeof DIAGNOSTICS_FORMAT;
  readonly formatVersion: number;
  readonly generatedAt: string;
  readonly home: string;
  readonly versions: Readonly<Record<string, unknown>>;
  readonly secretStore: Readonly<Record<string, unknown>>;
  readonly network: Readonly<Record<string, unknown>>;
  readonly settings: {
    readonly file: string | undefined;
    readonly pinnedSecretStore: string | undefined;
    readonly cache: CacheSettings | undefined;
  };
  readonly installations: readonly InstallationDiagnostics[];
  readonly database: DatabaseExtract;
  readonly logs: readonly {
    readonly file: string;
    readonly lines: readonly unknown[];
    readonly truncated: boolean;
  }[];
  /** What could not be collected, and why; the rest of the bundle is still useful. */
  readonly problems: readonly string[];
}

function gitVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile('git', ['--version'], { timeout: 5000 }, (error, stdout) => {
      resolve(error ? `unavailable (${error.message.split('\n')[0]})` : stdout.trim());
    });
  });
}

function shownProxy(value: string): string {
  if (value === '') return '';
  try {
    return proxyOrigin(value);
  } catch {
    return '(not a URL)';
  }
}

function certificates(pems: readonly string[]): (CertificateSummary | { invalid: string })[] {
  return pems.map((pem) => {
    try {
      return summarizeCertificate(new X509Certificate(pem));
    } catch (error) {
      return { invalid: (error as Error).message };
    }
  });
}

/** Registers every value in the secret store with the redactor; returns how many there are. */
async function registerStoredSecrets(
  store: SecretStore,
  installations: readonly Installation[],
  redactor: Redactor,
  releases: (() => void)[],
): Promise<number> {
  let count = 0;
  for (const installation of installations) {
    for (const kind of SECRET_KINDS) {
      const value = await store.get({ installationId: installation.id, kind });
      if (value === undefined || value === '') continue;
      count += 1;
      // JSON-valued secrets (the OAuth token set) register their token fields too.
      releases.push(redactor.register(value));
    }
  }
  return count;
}

function parseLogLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}

/**
 * Collects the diagnostic bundle: versions, the secret store's health (never its values), proxy
 * decisions per host, each installation's settings and probe (with the presented chain), the
 * newest push-history rows and relay deliveries with bodies cut, and the newest log lines.
 *
 * Every secret value in the store is registered with the redactor first, and the finished bundle
 * passes through the redactor whole, so a secret that found its way into a log line, a commit
 * message or a delivery body is replaced wherever it is.
 */
export async function collectDiagnostics(options: DiagnosticsOptions): Promise<DiagnosticsBundle> {
  const redactor = options.redactor ?? defaultRedactor;
  const clock = options.clock ?? (() => new Date());
  const problems: string[] = [];
  const releases: (() => void)[] = [];
  const note = (what: string, error: unknown): void => {
    problems.push(`${what}: ${toErrorShape(error).message}`);
  };

  try {
    let settings: SettingsStore | undefined = options.settings;
    if (settings === undefined) {
      try {
        settings = openSettings(options.home);
      } catch (error) {
        note('settings could not be read', error);
      }
    }
    let installations: readonly Installation[] = [];
    try {
      installations = settings?.listInstallations() ?? [];
    } catch (error) {
      note('installations could not be listed', error);
    }

    let secretStore: Record<string, unknown> = { checked: false };
    if (options.secretStore !== undefined) {
      try {
        const store =
          typeof options.secretStore === 'function'
            ? await options.secretStore()
            : options.secretStore;
        const health = await store.probe();
        const registered = await registerStoredSecrets(store, installations, redactor, releases);
        secretStore = {
          checked: true,
          backend: store.backend,
          location: store.location,
          persistent: store.persistent,
          osProtected: store.osProtected,
          health,
          storedSecrets: registered,
        };
      } catch (error) {
        secretStore = { checked: true, error: toErrorShape(error) };
        note('the secret store could not be read (secrets are redacted by pattern only)', error);
      }
    }

    const proxySettings = resolveProxySettings(options.env);
    // The routes every connection takes now: the process routing, else the variables alone.
    const routing = options.routing ?? activeNetworkRouting() ?? environmentRouting(options.env);
    const doProbe = options.probe ?? true;
    const installationReports = await Promise.all(
      installations.map(async (installation): Promise<InstallationDiagnostics> => {
        const proxy = await installationRoutes(installation, routing);
        let probe: InstallationDiagnostics['probe'] = { skipped: 'probing was turned off' };
        if (doProbe) {
          try {
            // The same trust and address choices the installation's own traffic uses.
            probe = await runProbe(installation.baseUrl, {
              ...installationNetworkOptions(installation),
              env: options.env,
              deadlineMs: options.probeDeadlineMs ?? 10_000,
              ...options.probeOptions,
            });
          } catch (error) {
            probe = { failed: toErrorShape(error) };
          }
        }
        const { auth } = installation;
        return {
          id: installation.id,
          name: installation.name,
          baseUrl: installation.baseUrl,
          allowLoopback: installation.allowLoopback,
          auth:
            auth.kind === 'oauth'
              ? {
                  kind: auth.kind,
                  user: auth.user,
                  clientId: auth.clientId,
                  redirect: auth.redirect,
                }
              : { ...auth },
          relay: installation.relay,
          caCertificates: certificates(installation.caPems),
          platform: installation.platform
            ? {
                baseUrl: installation.platform.baseUrl,
                installationId: installation.platform.installationId,
                caCertificates: certificates(installation.platform.caPems),
              }
            : undefined,
          proxy,
          probe,
        };
      }),
    );

    let database: DatabaseExtract = {
      present: false,
      history: [],
      deliveries: [],
      counters: [],
      webhooks: [],
    };
    try {
      database = readDatabaseExtract(options.home, {
        historyRows: options.historyRows ?? 50,
        deliveryRows: options.deliveryRows ?? 50,
        bodyBytes: options.bodyBytes ?? 512,
      });
    } catch (error) {
      note('the database could not be read', error);
    }

    let cache: CacheSettings | undefined;
    let pinned: string | undefined;
    let networkSetting: ProxySetting | undefined;
    try {
      const setting = settings?.networkSettings?.().proxy;
      // A PAC URL may carry a token in its query: the bundle names scheme, host and path only.
      networkSetting =
        setting?.kind === 'pac' ? { kind: 'pac', url: displayPacUrl(setting.url) } : setting;
      cache = settings?.cacheSettings?.();
      pinned = settings?.pinnedSecretStore?.();
    } catch (error) {
      note('app settings could not be read', error);
    }

    const bundle: DiagnosticsBundle = {
      format: DIAGNOSTICS_FORMAT,
      formatVersion: DIAGNOSTICS_FORMAT_VERSION,
      generatedAt: clock().toISOString(),
      home: options.home,
      versions: {
        companion: COMPANION_VERSION,
        node: process.versions.node,
        electron: process.versions['electron'],
        openssl: process.versions.openssl,
        git: await gitVersion(),
        os: { type: osType(), platform: platform(), release: release(), arch: arch() },
      },
      secretStore,
      network: {
        setting: networkSetting,
        // Scheme, host and port only: a variable's `user:password@` never enters the bundle.
        proxy: {
          httpsProxy: shownProxy(proxySettings.httpsProxy),
          httpProxy: shownProxy(proxySettings.httpProxy),
          noProxy: proxySettings.noProxy,
        },
        tlsEnvironment: tlsEnvironmentNotes(options.env),
      },
      settings: { file: settings?.path, pinnedSecretStore: pinned, cache },
      installations: installationReports,
      database,
      logs: readLogExtract(options.home, options.logLines ?? 500).map((extract) => ({
        ...extract,
        lines: extract.lines.map(parseLogLine),
      })),
      problems,
    };
    // Once more through the redactor as a whole: registered values and patterns, in every field.
    return redactor.value(bundle) as DiagnosticsBundle;
  } finally {
    for (const release of releases) release();
  }
}
