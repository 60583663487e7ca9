import { bridgeUrl, requireBridgePlatform } from '../../core/bridge/installation-bridge.js';
import { openDatabase } from '../../core/storage/database.js';
import { openPushEngine } from '../../core/use-cases/push-engine.js';
import type { Command } from '../command.js';
import { startCommandBridge, untilStopped } from './bridge-support.js';
import { openSecrets, requireInstallation, stderrLogger } from './relay-support.js';

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
    const { settings, installation } = requireInstallation(context, name);
    const platform = requireBridgePlatform(installation);
    const secrets = await openSecrets(context, settings);
    const logger = stderrLogger(context, { installation: installation.name });
    const database = openDatabase(context.home);
    const engine = openPushEngine({ database, settings, env: context.io.env, logger });
    try {
      context.output.ready(
        { bridge: 'connecting', platform: platform.baseUrl, url: bridgeUrl(platform) },
        `bridge for ${installation.name} connecting to ${platform.baseUrl}`,
      );
      const bridge = startCommandBridge(context, {
        installation,
        settings,
        secrets,
        database,
        engine,
        logger,
      });
      await untilStopped(context);
      logger.info('bridge stopping');
      await bridge.stop();
    } finally {
      await engine.close();
      database.close();
    }
  },
};
