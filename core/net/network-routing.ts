import { CompanionError } from '../../common/errors/companion-error.js';
import type { NetworkSettings, RouteSource, RouteView } from '../../common/models/network.js';
import type { ProxyChoice } from './network-options.js';
import { bypassesProxy } from './no-proxy.js';
import type { PacEvaluator } from './pac-file.js';
import { displayPacUrl } from './pac-file.js';
import { proxyFor, proxyFromPacResult, resolveProxySettings } from './proxy-settings.js';

export interface ProxyCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * How one URL leaves the machine. `choice` is what the connection uses (a proxy URL may carry
 * `user:password@`, so it never leaves the process); `view` is what may be shown and logged.
 */
export interface Route {
  readonly choice: ProxyChoice;
  readonly view: RouteView;
}

/** The one source of routes: every network path asks it (docs/network.md, "Precedence"). */
export interface NetworkRouting {
  route(url: string): Promise<Route>;
}

export interface RoutingSources {
  /** The Network setting as saved now (read on every decision, so a change applies at once). */
  readonly settings: () => NetworkSettings;
  /** The explicit proxy's credentials from the secret store, when the setting says there are. */
  readonly credentials: () => Promise<ProxyCredentials | undefined>;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The system's answer for a URL in PAC form (`"PROXY host:port; DIRECT"`) — on the desktop
   * Electron's `session.resolveProxy`. Absent headless.
   */
  readonly system?: (url: string) => Promise<string>;
  readonly pac: PacEvaluator;
}

const DIRECT_DEFAULT: Route = {
  choice: { kind: 'direct' },
  view: { kind: 'direct', source: 'default' },
};

/**
 * The precedence, defined here once (docs/network.md):
 *
 * 1. the Network setting when it is explicit — `direct`, a proxy URL (with its bypass list), or
 *    a PAC URL;
 * 2. otherwise (`auto`) the proxy variables, when HTTPS_PROXY or HTTP_PROXY is set — an admin set
 *    them for this process on purpose (service units, shells);
 * 3. otherwise the system's proxy (the desktop: Chromium's resolver over the OS settings, PAC and
 *    WPAD included);
 * 4. otherwise direct.
 */
export function createNetworkRouting(sources: RoutingSources): NetworkRouting {
  return {
    async route(url) {
      const target = new URL(url);
      const setting = sources.settings().proxy;
      switch (setting.kind) {
        case 'direct':
          return { choice: { kind: 'direct' }, view: { kind: 'direct', source: 'setting' } };
        case 'manual': {
          if (bypassesProxy(target, setting.noProxy)) {
            return { choice: { kind: 'direct' }, view: { kind: 'direct', source: 'setting' } };
          }
          const credentials = setting.credentials ? await sources.credentials() : undefined;
          if (setting.credentials && credentials === undefined) {
            throw new CompanionError(
              'PROXY_CREDENTIALS_MISSING',
              `The proxy ${proxyOrigin(setting.url)} is set to use a user name and password, but the secret store has none.`,
            );
          }
          return proxyRoute(setting.url, credentials, 'setting');
        }
        case 'pac': {
          const answer = await sources.pac(setting.url, url);
          return fromAnswer(answer, 'pac', () => {
            throw new CompanionError(
              'PROXY_PAC_UNUSABLE',
              `The PAC file ${displayPacUrl(setting.url)} answered "${answer}" for ${target.host}: no DIRECT, PROXY or HTTPS entry the companion can use.`,
              { data: { answer } },
            );
          });
        }
        case 'auto':
          return autoRoute(target, sources);
        default: {
          const unknown: never = setting;
          throw new Error(`unknown proxy setting ${JSON.stringify(unknown)}`);
        }
      }
    },
  };
}

async function autoRoute(target: URL, sources: RoutingSources): Promise<Route> {
  const variables = resolveProxySettings(sources.env);
  if (variables.httpsProxy !== '' || variables.httpProxy !== '') {
    const proxy = proxyFor(target, variables);
    if (proxy === undefined) {
      return { choice: { kind: 'direct' }, view: { kind: 'direct', source: 'environment' } };
    }
    return proxyRoute(proxy, undefined, 'environment');
  }
  if (sources.system === undefined) return DIRECT_DEFAULT;
  let answer: string;
  try {
    answer = await sources.system(target.href);
  } catch {
    // The OS gave no answer; Chromium itself would connect directly then.
    return DIRECT_DEFAULT;
  }
  return fromAnswer(answer, 'system', () => DIRECT_DEFAULT);
}

function fromAnswer(answer: string, source: RouteSource, unusable: () => Route): Route {
  const choice = proxyFromPacResult(answer);
  if (choice === undefined) return unusable();
  const trimmed = answer.trim();
  if (choice.kind === 'direct') {
    return { choice, view: { kind: 'direct', source, answer: trimmed } };
  }
  return {
    choice,
    view: {
      kind: 'proxy',
      proxy: proxyOrigin(choice.url),
      source,
      answer: trimmed,
      authenticated: false,
    },
  };
}

/**
 * A proxy route. Credentials come from the secret store (the setting) or from the variable's own
 * `user:password@`; either way they ride only in `choice.url`, which goes to the connection.
 */
function proxyRoute(
  proxyUrl: string,
  credentials: ProxyCredentials | undefined,
  source: RouteSource,
): Route {
  const url = new URL(proxyUrl);
  if (credentials !== undefined) {
    url.username = encodeURIComponent(credentials.username);
    url.password = encodeURIComponent(credentials.password);
  }
  const authenticated = url.username !== '';
  const href = url.href.replace(/\/$/, '');
  return {
    choice: { kind: 'proxy', url: href },
    view: { kind: 'proxy', proxy: proxyOrigin(href), source, authenticated },
  };
}

/** `scheme://host:port` of a proxy URL: what may be shown. */
export function proxyOrigin(proxyUrl: string): string {
  const url = new URL(proxyUrl);
  return `${url.protocol}//${url.host}`;
}
