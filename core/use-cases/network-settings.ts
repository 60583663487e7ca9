import { X509Certificate } from 'node:crypto';
import { CompanionError, toErrorShape } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import {
  DEFAULT_NETWORK_SETTINGS,
  NO_PROXY_MAX_CHARS,
  describeRoute,
  type NetworkOverview,
  type NetworkRouteRow,
  type NetworkUpdate,
  type ProxySetting,
  type RouteRole,
} from '../../common/models/network.js';
import { bridgeUrl } from '../bridge/installation-bridge.js';
import type { NetworkRouting } from '../net/network-routing.js';
import { proxyOrigin } from '../net/network-routing.js';
import {
  homeNetworkRouting,
  PROXY_CREDENTIALS_KEY,
  readProxyCredentials,
  saveProxyCredentials,
} from '../net/open-network-routing.js';
import { resolveProxySettings } from '../net/proxy-settings.js';
import { platformTargetUrl } from '../relay/relay.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { LocalPorts } from './local-ports.js';
import { summarizeCertificate } from '../trust/certificate-summary.js';

type Environment = Readonly<Record<string, string | undefined>>;

/** The three connections of an installation whose route matters (docs/network.md). */
export function installationTargets(
  installation: Pick<Installation, 'baseUrl' | 'platform'>,
): { readonly role: RouteRole; readonly url: string }[] {
  const platform = installation.platform;
  return [
    { role: 'bdc', url: installation.baseUrl },
    ...(platform === undefined
      ? []
      : [
          // The bridge's WebSocket (its https: form, as the routing is asked for it).
          { role: 'platform' as const, url: bridgeUrl(platform) },
          // Where the relay forwards BDC's webhooks.
          {
            role: 'relay' as const,
            url: platformTargetUrl(platform.baseUrl, platform.installationId),
          },
        ]),
  ];
}

/** The route of each of an installation's connections, as the routing decides it now. */
export async function installationRoutes(
  installation: Pick<Installation, 'baseUrl' | 'platform'>,
  routing: NetworkRouting,
): Promise<NetworkRouteRow[]> {
  return Promise.all(
    installationTargets(installation).map(async ({ role, url }): Promise<NetworkRouteRow> => {
      try {
        const { view } = await routing.route(url);
        return { role, url, route: view, description: describeRoute(view), error: undefined };
      } catch (error) {
        const shape = toErrorShape(error);
        return { role, url, route: undefined, description: shape.message, error: shape };
      }
    }),
  );
}

/** A proxy variable for display: `scheme://host:port`, never its `user:password@`. */
function shownVariable(value: string): string | undefined {
  if (value === '') return undefined;
  try {
    return proxyOrigin(value);
  } catch {
    return '(not a URL)';
  }
}

/** The Network section's content: one use case for the desktop, `serve` and `network show`. */
export async function showNetwork(input: {
  readonly settings: SettingsStore;
  readonly routing: NetworkRouting;
  readonly env: Environment;
  readonly systemProxy: boolean;
}): Promise<NetworkOverview> {
  const variables = resolveProxySettings(input.env);
  const installations = await Promise.all(
    input.settings.listInstallations().map(async (installation) => ({
      id: installation.id,
      name: installation.name,
      platform:
        installation.platform === undefined
          ? undefined
          : {
              baseUrl: installation.platform.baseUrl,
              installationId: installation.platform.installationId,
            },
      platformCa: (installation.platform?.caPems ?? []).flatMap((pem) => {
        try {
          const summary = summarizeCertificate(new X509Certificate(pem));
          return [{ subject: summary.subject, sha256: summary.sha256, notAfter: summary.notAfter }];
        } catch {
          return [];
        }
      }),
      routes: await installationRoutes(installation, input.routing),
    })),
  );
  return {
    setting: input.settings.networkSettings?.().proxy ?? DEFAULT_NETWORK_SETTINGS.proxy,
    environment: {
      httpsProxy: shownVariable(variables.httpsProxy),
      httpProxy: shownVariable(variables.httpProxy),
      noProxy: variables.noProxy === '' ? undefined : variables.noProxy,
    },
    systemProxy: input.systemProxy,
    installations,
  };
}

/**
 * Saves the Network setting. A proxy or PAC URL must be http(s) without `user:password@` (those
 * go to the secret store); credentials are written before the setting that refers to them, and
 * removed when no longer used, so the file never names credentials the store lacks.
 */
export async function changeNetwork(input: {
  readonly settings: SettingsStore;
  readonly secretStore: () => Promise<SecretStore>;
  readonly update: NetworkUpdate;
}): Promise<void> {
  const { settings, update } = input;
  if (!settings.saveNetworkSettings || !settings.networkSettings) {
    throw new CompanionError(
      'APP_OPERATION_UNAVAILABLE',
      'The network settings cannot be saved here.',
    );
  }
  const current = settings.networkSettings().proxy;
  const request = update.proxy;
  let next: ProxySetting;
  switch (request.kind) {
    case 'auto':
    case 'direct':
      next = { kind: request.kind };
      break;
    case 'pac':
      next = { kind: 'pac', url: checkedUrl(request.url, 'PAC') };
      break;
    case 'manual': {
      const url = checkedUrl(request.url, 'proxy');
      const noProxy = (request.noProxy ?? '').trim();
      if (noProxy.length > NO_PROXY_MAX_CHARS) {
        throw new CompanionError(
          'INPUT_INVALID',
          `The bypass list is longer than ${NO_PROXY_MAX_CHARS} characters.`,
        );
      }
      const given = request.username !== undefined || request.password !== undefined;
      if (given && (!request.username || request.password === undefined)) {
        throw new CompanionError(
          'PROXY_URL_INVALID',
          'A proxy user name needs its password, and a password its user name.',
        );
      }
      let credentials = false;
      if (given) {
        await saveProxyCredentials(await input.secretStore(), {
          username: request.username!,
          password: request.password!,
        });
        credentials = true;
      } else if (
        request.keepCredentials === true &&
        current.kind === 'manual' &&
        current.credentials
      ) {
        // Proves they are still there: a setting must not claim credentials the store lost.
        credentials = (await readProxyCredentials(await input.secretStore())) !== undefined;
      }
      next = { kind: 'manual', url, noProxy, credentials };
      break;
    }
    default: {
      const unknown: never = request;
      throw new CompanionError(
        'INPUT_INVALID',
        `Unknown proxy setting ${JSON.stringify(unknown)}.`,
      );
    }
  }
  settings.saveNetworkSettings({ proxy: next });
  const stillUsed = next.kind === 'manual' && next.credentials;
  if (!stillUsed && current.kind === 'manual' && current.credentials) {
    await (await input.secretStore()).delete(PROXY_CREDENTIALS_KEY);
  }
}

function checkedUrl(text: string, what: 'proxy' | 'PAC'): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new CompanionError('PROXY_URL_INVALID', `The ${what} URL is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CompanionError(
      'PROXY_URL_INVALID',
      `The ${what} URL must start with http:// or https:// (it starts with ${url.protocol}).`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo the URL: it holds a password.
    throw new CompanionError(
      'PROXY_URL_INVALID',
      `The ${what} URL contains a user name or password; those are kept in the secret store instead.`,
    );
  }
  if (what === 'proxy') {
    if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
      throw new CompanionError('PROXY_URL_INVALID', 'A proxy URL is only scheme, host and port.');
    }
    return `${url.protocol}//${url.host}`;
  }
  return url.href;
}

/** `network show` over a config home (no system proxy headless). */
export function showHomeNetwork(
  ports: Pick<LocalPorts, 'home' | 'env' | 'settings'>,
): Promise<NetworkOverview> {
  return showNetwork({
    settings: ports.settings,
    routing: homeNetworkRouting(ports.home, ports.env),
    env: ports.env,
    systemProxy: false,
  });
}
