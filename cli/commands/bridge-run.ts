import type { Command } from '../command.js';
import { runCommandBridgeUntilStopped, withCommandBridgePorts } from './bridge-support.js';

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
    await withCommandBridgePorts(context, name, async (setup) => {
      const { installation, platform, url } = setup;
      context.output.ready(
        { bridge: 'connecting', platform: platform.baseUrl, url },
        `bridge for ${installation.name} connecting to ${platform.baseUrl}`,
      );
      await runCommandBridgeUntilStopped(context, setup, 'bridge stopping');
    });
  },
};
