import { openPushEngine } from '../../core/use-cases/push-engine.js';
import { bridgeTarget } from '../../core/use-cases/run-bridge.js';
import { formatListenAddress, runRelay } from '../../core/use-cases/run-relay.js';
import type { Command } from '../command.js';
import { startCommandBridge, untilStopped } from './bridge-support.js';
import { stderrLogger, withLocalPorts } from './relay-support.js';

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
    await withLocalPorts(context, async (local) => {
      const installation = local.settings.requireInstallation(name);
      const { platform, url } = bridgeTarget(installation);
      const secretStore = await local.secretStore();
      const logger = stderrLogger(context, { installation: installation.name });
      const database = local.database();
      const { settings, env } = local;
      const engine = openPushEngine({ database, settings, env, logger });
      try {
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
          const bridge = startCommandBridge(
            context,
            { settings, secretStore, database, engine, env, logger },
            installation.id,
          );
          await untilStopped(context);
          logger.info('daemon stopping');
          await bridge.stop();
        } finally {
          await relay.close();
        }
      } finally {
        await engine.close();
      }
    });
  },
};
