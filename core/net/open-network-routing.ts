import { existsSync } from 'node:fs';
import { CompanionError } from '../../common/errors/companion-error.js';
import { NETWORK_SECRET_OWNER } from '../../common/models/secret-kind.js';
import { DEFAULT_NETWORK_SETTINGS, type NetworkSettings } from '../../common/models/network.js';
import { openPinnedSecretStore } from '../secrets/pinned-secret-store.js';
import type { SecretKey, SecretStore } from '../secrets/secret-store.js';
import { openSettings, settingsFilePath } from '../settings/settings-file.js';
import type { SettingsStore } from '../settings/settings-store.js';
import {
  createNetworkRouting,
  type NetworkRouting,
  type ProxyCredentials,
} from './network-routing.js';
import { createPacEvaluator, type PacEvaluator } from './pac-file.js';

/** Where the explicit proxy's credentials are kept. */
export const PROXY_CREDENTIALS_KEY: SecretKey = {
  installationId: NETWORK_SECRET_OWNER,
  kind: 'proxy-credentials',
};

export interface NetworkRoutingPorts {
  readonly settings: () => NetworkSettings | undefined;
  /** Opened only when the setting names credentials (a CLI run without them never unlocks it). */
  readonly secretStore: () => Promise<SecretStore>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The desktop's system resolver (Electron's `session.resolveProxy`). */
  readonly system?: (url: string) => Promise<string>;
  readonly pac?: PacEvaluator;
}

/** The routing of a composition root, over its settings, secret store and environment. */
export function openNetworkRouting(ports: NetworkRoutingPorts): NetworkRouting {
  return createNetworkRouting({
    settings: () => ports.settings() ?? DEFAULT_NETWORK_SETTINGS,
    credentials: async () => readProxyCredentials(await ports.secretStore()),
    env: ports.env,
    ...(ports.system === undefined ? {} : { system: ports.system }),
    pac: ports.pac ?? createPacEvaluator(),
  });
}

/** The routing when nothing but the proxy variables is known (no settings, no system). */
export function environmentRouting(
  env: Readonly<Record<string, string | undefined>>,
): NetworkRouting {
  return openNetworkRouting({
    settings: () => undefined,
    secretStore: () => Promise.reject(new Error('no secret store')),
    env,
  });
}

export async function readProxyCredentials(
  store: SecretStore,
): Promise<ProxyCredentials | undefined> {
  const stored = await store.get(PROXY_CREDENTIALS_KEY);
  if (stored === undefined) return undefined;
  try {
    const parsed = JSON.parse(stored) as Partial<ProxyCredentials>;
    if (typeof parsed.username === 'string' && typeof parsed.password === 'string') {
      return { username: parsed.username, password: parsed.password };
    }
  } catch {
    // fall through: never echo what was stored
  }
  throw new CompanionError(
    'PROXY_CREDENTIALS_MISSING',
    'The proxy credentials in the secret store are unreadable.',
  );
}

export async function saveProxyCredentials(
  store: SecretStore,
  credentials: ProxyCredentials,
): Promise<void> {
  await store.set(PROXY_CREDENTIALS_KEY, JSON.stringify(credentials));
}

/**
 * The routing of a one-shot process over a config home (each CLI run, the daemon): the settings
 * file is opened only when a connection is made and only if it exists, so commands that make no
 * connection (or run on a fresh home) never create or lock it; the secret store only when the
 * setting names proxy credentials.
 */
export function homeNetworkRouting(
  home: string,
  env: Readonly<Record<string, string | undefined>>,
): NetworkRouting {
  let settings: SettingsStore | undefined;
  const open = (): SettingsStore | undefined => {
    if (settings === undefined && existsSync(settingsFilePath(home))) settings = openSettings(home);
    return settings;
  };
  let secrets: Promise<SecretStore> | undefined;
  return openNetworkRouting({
    settings: () => open()?.networkSettings?.(),
    secretStore: () => {
      const store = open();
      if (store === undefined) return Promise.reject(new Error('no settings file'));
      secrets ??= openPinnedSecretStore(store, { home, env });
      return secrets;
    },
    env,
  });
}
