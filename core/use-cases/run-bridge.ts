import type { Database } from 'better-sqlite3';
import type { BridgeRequestRecord, BridgeStatus } from '../../common/models/bridge.js';
import type { Installation, PlatformLink } from '../../common/models/installation.js';
import {
  bridgeUrl,
  requireBridgePlatform,
  startInstallationBridge,
  type InstallationBridgeOptions,
  type RunningBridge,
} from '../bridge/installation-bridge.js';
import type { PushService } from '../git/push-service.js';
import type { Logger } from '../logging/logger.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { Environment } from './local-ports.js';

export interface RunBridgePorts {
  readonly settings: SettingsStore;
  readonly secretStore: SecretStore;
  readonly database: Database;
  /** From `openPushEngine`: the platform's pushes go through the push use case. */
  readonly engine: PushService;
  readonly env: Environment;
  readonly logger: Logger;
}

export interface RunBridgeInput {
  /** Name or id. */
  readonly installation: string;
  readonly onState?: (status: BridgeStatus) => void;
  readonly onRequest?: (record: BridgeRequestRecord) => void;
  readonly tuning?: InstallationBridgeOptions['tuning'];
}

/** Where the bridge of an installation connects (BRIDGE_NOT_CONFIGURED without a platform link). */
export function bridgeTarget(installation: Installation): {
  readonly platform: PlatformLink;
  readonly url: string;
} {
  const platform = requireBridgePlatform(installation);
  return { platform, url: bridgeUrl(platform) };
}

/**
 * Runs the platform bridge of an installation (`docs/bridge.md`): the one path of `bridge run`,
 * `run` (the daemon) and the bridge the desktop and `serve` start. The platform's reads use the
 * installation's own signed-in client; its pushes go through the push use case, recorded as
 * `source: bridge`.
 */
export function runBridge(ports: RunBridgePorts, input: RunBridgeInput): RunningBridge {
  const installation = ports.settings.requireInstallation(input.installation);
  return startInstallationBridge(installation, {
    database: ports.database,
    secrets: ports.secretStore,
    env: ports.env,
    logger: ports.logger,
    pushPorts: {
      settings: ports.settings,
      secretStore: ports.secretStore,
      engine: ports.engine,
      env: ports.env,
      logger: ports.logger,
    },
    ...(input.onState === undefined ? {} : { onState: input.onState }),
    ...(input.onRequest === undefined ? {} : { onRequest: input.onRequest }),
    ...(input.tuning === undefined ? {} : { tuning: input.tuning }),
  });
}
