import type { BridgeStatus } from '../../common/models/bridge.js';
import type { RunningBridge } from '../../core/bridge/installation-bridge.js';
import { runBridge, type RunBridgePorts } from '../../core/use-cases/run-bridge.js';
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
