import { formatListenAddress, runRelay } from '../../core/use-cases/run-relay.js';
import type { Command } from '../command.js';
import { runCommandBridgeUntilStopped, withCommandBridgePorts } from './bridge-support.js';

/**
 * `run <name>`: the daemon — the webhook relay and the platform bridge of an installation in one
 * process (what the service unit runs). The bridge waiting for a new token never stops the relay.
 */
export const daemonRunCommand: Command = {
  path: ['run'],
  summary: 'the daemon: run the webhook relay and the platform bridge of an installation together',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  async run(context) {
    const name = context.positionals[0] as string;
    await withCommandBridgePorts(context, name, async (setup) => {
      const { installation, platform, url, ports, logger } = setup;
      const { settings, secretStore, database, env } = ports;
      const relay = await runRelay(
        { settings, secretStore, database, env, logger: logger.child({ component: 'relay' }) },
        { installation: installation.id },
      );
      try {
        context.output.ready(
          {
            listen: formatListenAddress(relay.listen),
            url: relay.webhookUrl,
            target: relay.targetUrl,
            bridge: 'connecting',
            platform: platform.baseUrl,
            bridgeUrl: url,
            watch: installation.relay.watch ?? null,
          },
          `relay for ${installation.name} listening on ${relay.webhookUrl}, forwarding to ${relay.targetUrl}\nbridge connecting to ${platform.baseUrl}`,
        );
        await runCommandBridgeUntilStopped(context, setup, 'daemon stopping');
      } finally {
        await relay.close();
      }
    });
  },
};
