import { openPushEngine } from '../../core/use-cases/push-engine.js';
import { bridgeTarget } from '../../core/use-cases/run-bridge.js';
import type { Command } from '../command.js';
import { startCommandBridge, untilStopped } from './bridge-support.js';
import { stderrLogger, withLocalPorts } from './relay-support.js';

/**
 * `bridge run <name>`: the platform bridge in the foreground (`docs/bridge.md`). The first line
 * says it is connecting, then one line per state change, until SIGTERM or SIGINT.
 */
export const bridgeRunCommand: Command = {
  path: ['bridge', 'run'],
  summary: 'run the platform bridge: the platform reads from and pushes to BDC through it',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const name = context.positionals[0] as string;
    await withLocalPorts(context, async (local) => {
      const installation = local.settings.requireInstallation(name);
      const { platform, url } = bridgeTarget(installation);
      const secretStore = await local.secretStore();
      const logger = stderrLogger(context, { installation: installation.name });
      const database = local.database();
      const engine = openPushEngine({ database, settings: local.settings, env: local.env, logger });
      try {
        context.output.ready(
          { bridge: 'connecting', platform: platform.baseUrl, url },
          `bridge for ${installation.name} connecting to ${platform.baseUrl}`,
        );
        const bridge = startCommandBridge(
          context,
          { settings: local.settings, secretStore, database, engine, env: local.env, logger },
          installation.id,
        );
        await untilStopped(context);
        logger.info('bridge stopping');
        await bridge.stop();
      } finally {
        await engine.close();
      }
    });
  },
};
