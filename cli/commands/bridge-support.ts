import type { BridgeStatus } from '../../common/models/bridge.js';
import type { Installation, PlatformLink } from '../../common/models/installation.js';
import type { RunningBridge } from '../../core/bridge/installation-bridge.js';
import type { Logger } from '../../core/logging/logger.js';
import { openPushEngine } from '../../core/use-cases/push-engine.js';
import { bridgeTarget, runBridge, type RunBridgePorts } from '../../core/use-cases/run-bridge.js';
import type { CommandContext } from '../command.js';
import { stderrLogger, withLocalPorts } from './relay-support.js';

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
  ports: RunBridgePorts,
  installation: string,
): RunningBridge {
  let last = '';
  return runBridge(ports, {
    installation,
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

/** What `bridge run` and `run` need to start an installation's bridge. */
export interface CommandBridgeSetup {
  readonly installation: Installation;
  readonly platform: PlatformLink;
  /** The bridge endpoint on the platform. */
  readonly url: string;
  readonly ports: RunBridgePorts;
  readonly logger: Logger;
}

/**
 * Runs `work` with the bridge ports of the named installation (`bridge run` and the daemon `run`
 * open them the same way), closing the push engine and the local ports whatever happens.
 */
export async function withCommandBridgePorts(
  context: CommandContext,
  name: string,
  work: (setup: CommandBridgeSetup) => Promise<void>,
): Promise<void> {
  await withLocalPorts(context, async (local) => {
    const installation = local.settings.requireInstallation(name);
    const { platform, url } = bridgeTarget(installation);
    const secretStore = await local.secretStore();
    const logger = stderrLogger(context, { installation: installation.name });
    const database = local.database();
    const { settings, env } = local;
    const engine = openPushEngine({ database, settings, env, logger });
    try {
      const ports = { settings, secretStore, database, engine, env, logger };
      await work({ installation, platform, url, ports, logger });
    } finally {
      await engine.close();
    }
  });
}

/** Runs the bridge until SIGTERM or SIGINT, then logs `stopping` and stops it. */
export async function runCommandBridgeUntilStopped(
  context: CommandContext,
  setup: CommandBridgeSetup,
  stopping: string,
): Promise<void> {
  const bridge = startCommandBridge(context, setup.ports, setup.installation.id);
  await untilStopped(context);
  setup.logger.info(stopping);
  await bridge.stop();
}
