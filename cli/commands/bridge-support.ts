import type { Database } from 'better-sqlite3';
import type { BridgeStatus } from '../../common/models/bridge.js';
import type { Installation } from '../../common/models/installation.js';
import {
  requireBridgePlatform,
  startInstallationBridge,
  type RunningBridge,
} from '../../core/bridge/installation-bridge.js';
import type { Logger } from '../../core/logging/logger.js';
import type { SecretStore } from '../../core/secrets/secret-store.js';
import type { SettingsStore } from '../../core/settings/settings-store.js';
import type { PushService } from '../../core/git/push-service.js';
import type { CommandContext } from '../command.js';

/** One line per bridge state change: JSON for scripts, a sentence for people. */
export function bridgeStateLine(status: BridgeStatus, json: boolean): string {
  if (json) {
    return JSON.stringify({
      bridge: status.state,
      platform: status.platformUrl,
      ...(status.connectedSince === undefined ? {} : { connectedSince: status.connectedSince }),
      ...(status.state === 'connected' || status.lastError === undefined
        ? {}
        : { error: status.lastError }),
    });
  }
  const error =
    status.state !== 'connected' && status.lastError !== undefined
      ? ` (${status.lastError.code}: ${status.lastError.message})`
      : '';
  return `bridge ${status.state} ${status.platformUrl ?? ''}${error}`;
}

/** Starts the bridge of an installation for `bridge run` and `run`, printing each state change. */
export function startCommandBridge(
  context: CommandContext,
  parts: {
    readonly installation: Installation;
    readonly settings: SettingsStore;
    readonly secrets: SecretStore;
    readonly database: Database;
    readonly engine: PushService;
    readonly logger: Logger;
  },
): RunningBridge {
  requireBridgePlatform(parts.installation);
  let last = '';
  return startInstallationBridge(parts.installation, {
    database: parts.database,
    secrets: parts.secrets,
    env: context.io.env,
    logger: parts.logger,
    pushPorts: {
      settings: parts.settings,
      secretStore: parts.secrets,
      engine: parts.engine,
      env: context.io.env,
      logger: parts.logger,
    },
    onState: (status) => {
      const line = bridgeStateLine(status, context.json);
      if (line === last) return;
      last = line;
      context.io.stdout.write(`${line}\n`);
    },
  });
}

/** Resolves when the process is asked to stop (SIGTERM, SIGINT). */
export function untilStopped(context: CommandContext): Promise<void> {
  if (context.io.stopSignal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    context.io.stopSignal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
