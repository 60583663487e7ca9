import type { Database } from 'better-sqlite3';
import { request } from '../net/dispatcher-request.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type {
  BridgePolicySettings,
  BridgeRequestRecord,
  BridgeStatus,
} from '../../common/models/bridge.js';
import { DEFAULT_BRIDGE_POLICY } from '../../common/models/bridge.js';
import type { Installation, PlatformLink } from '../../common/models/installation.js';
import { requirePlatformLink } from '../settings/require-platform-link.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { USER_AGENT } from '../net/user-agent.js';
import type { SecretKey, SecretStore } from '../secrets/secret-store.js';
import type { SignedInClient } from '../use-cases/open-signed-in-client.js';
import type { PushPorts } from '../use-cases/push-for-installation.js';
import { startBridgeClient, type BridgeClient, type BridgeClientOptions } from './bridge-client.js';
import { startBridgeHeartbeat } from './bridge-heartbeat.js';
import { BridgePushRunner, type BridgePushPort } from './bridge-push.js';
import { BridgePushStore } from './bridge-push-store.js';
import type { BridgeBdcAccess } from './bridge-read.js';

export function bridgeTokenKey(installationId: string): SecretKey {
  return { installationId, kind: 'bridge-token' };
}

/** The platform link the bridge connects to; the bridge cannot run without it. */
export function requireBridgePlatform(installation: Installation): PlatformLink {
  return requirePlatformLink(installation, 'BRIDGE_NOT_CONFIGURED');
}

/** `{platform}/bridge/bitbucket-dc/{installation id}` (BRIDGE.md, "Connection"). */
export function bridgeUrl(platform: PlatformLink): string {
  return `${platform.baseUrl.replace(/\/+$/, '')}/bridge/bitbucket-dc/${encodeURIComponent(platform.installationId)}`;
}

export interface InstallationBridgeOptions {
  readonly database: Database;
  readonly secrets: SecretStore;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The push use case's ports; its settings also give the policy, re-read every second. */
  readonly pushPorts: PushPorts;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly onState?: (status: BridgeStatus) => void;
  readonly onRequest?: (record: BridgeRequestRecord) => void;
  readonly tuning?: Pick<
    BridgeClientOptions,
    | 'backoff'
    | 'maxInFlight'
    | 'maxBodyBytes'
    | 'pingIntervalMs'
    | 'pongTimeoutMs'
    | 'tokenPollMs'
    | 'random'
  >;
}

export interface RunningBridge extends BridgeClient {
  readonly url: string;
}

/**
 * The bridge of one installation, as `bridge run`, the daemon and the desktop run it: the platform
 * connection with the platform CAs, BDC reads with the installation's own network options and
 * credential (never the platform's), pushes through the push service recorded as `source: bridge`,
 * idempotency and liveness in the shared database.
 */
export function startInstallationBridge(
  installation: Installation,
  options: InstallationBridgeOptions,
): RunningBridge {
  const platform = requireBridgePlatform(installation);
  const logger = (options.logger ?? silentLogger).child({ component: 'bridge' });
  const now = options.now ?? Date.now;
  // Opened on the platform's first read and kept for the bridge's life; a failed sign-in (no
  // credential yet) is retried on the next read. Loaded then too: a connected bridge that has
  // served nothing holds no HTTP client (bench/RESULTS.md, idle daemon).
  let opening: Promise<SignedInClient> | undefined;

  const access = async (): Promise<BridgeBdcAccess> => {
    opening ??= import('../use-cases/open-signed-in-client.js').then(({ openSignedInClient }) =>
      openSignedInClient({ secretStore: options.secrets, env: options.env, logger }, installation),
    );
    const signedIn = await opening.catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return {
      baseUrl: installation.baseUrl,
      dispatcher: signedIn.dispatcher,
      authorization: signedIn.authorization,
    };
  };

  const getJson = async <T>(path: string): Promise<T> => {
    const bdc = await access();
    const response = await request(`${bdc.baseUrl}${path}`, {
      dispatcher: bdc.dispatcher,
      headers: {
        accept: 'application/json',
        authorization: await bdc.authorization.header(),
        'user-agent': USER_AGENT,
      },
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new CompanionError('BDC_REQUEST_FAILED', `BDC answered ${response.statusCode}.`);
    }
    return (await response.body.json()) as T;
  };

  // The push use case (and the HTTP client under it) loads with the platform's first push.
  const port: BridgePushPort = async (pushRequest, call) =>
    (
      await (
        await import('../use-cases/push-for-installation.js')
      ).pushForInstallation(options.pushPorts, {
        installation: installation.id,
        request: pushRequest,
        signal: call.signal,
        onProgress: call.onProgress,
        origin: call.origin,
      })
    ).result;

  // An edited policy (`bridge policy`, the Bridge view) applies within a second, without a restart
  // and without reading the settings file on every request.
  let policyCache: { readonly at: number; readonly policy: BridgePolicySettings } | undefined;
  const policy = (): BridgePolicySettings => {
    if (policyCache === undefined || now() - policyCache.at > 1_000) {
      const stored = options.pushPorts.settings.findInstallation(installation.id)?.bridge;
      policyCache = { at: now(), policy: stored ?? DEFAULT_BRIDGE_POLICY };
    }
    return policyCache.policy;
  };

  const heartbeat = startBridgeHeartbeat(
    options.database,
    { installationId: installation.id, platformUrl: platform.baseUrl },
    now,
  );
  const url = bridgeUrl(platform);
  const client = startBridgeClient({
    url,
    platformInstallationId: platform.installationId,
    platformCaPems: platform.caPems,
    bdcBaseUrl: installation.baseUrl,
    token: () => options.secrets.get(bridgeTokenKey(installation.id)),
    access,
    policy,
    pushes: new BridgePushRunner(installation.id, new BridgePushStore(options.database), port, now),
    env: options.env,
    bdcVersion: async () =>
      (await getJson<{ version?: string }>('/rest/api/latest/application-properties')).version,
    logger,
    now,
    ...options.tuning,
    onState: (status) => {
      heartbeat.update(status);
      options.onState?.(status);
    },
    ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
  });
  return {
    ...client,
    url,
    async stop() {
      await client.stop();
      heartbeat.update(client.status());
      heartbeat.stop();
      const signedIn = await opening?.catch(() => undefined);
      await signedIn?.close();
    },
  };
}
