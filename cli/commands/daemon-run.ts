import { bridgeUrl, requireBridgePlatform } from '../../core/bridge/installation-bridge.js';
import { startInstallationRelay } from '../../core/relay/installation-relay.js';
import { formatListenAddress } from '../../core/relay/listen-address.js';
import { openSettings } from '../../core/settings/settings-file.js';
import { openDatabase } from '../../core/storage/database.js';
import { openPushEngine } from '../../core/use-cases/push-engine.js';
import type { Command } from '../command.js';
import { startCommandBridge, untilStopped } from './bridge-support.js';
import { openSecrets, requireInstallation, stderrLogger } from './relay-support.js';

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
    const { settings, installation } = requireInstallation(context, name);
    const platform = requireBridgePlatform(installation);
    const secrets = await openSecrets(context, settings);
    const logger = stderrLogger(context, { installation: installation.name });
    const database = openDatabase(context.home);
    const engine = openPushEngine({ database, settings, env: context.io.env, logger });
    try {
      const home = context.home;
      const relay = await startInstallationRelay(installation, {
        database,
        secrets,
        env: context.io.env,
        // Watch mode (`relay watch`) re-reads what it watches at each round.
        watch: {
          settings: () => openSettings(home).findInstallation(installation.id)?.relay.watch,
        },
        logger: logger.child({ component: 'relay' }),
      });
      try {
        context.output.ready(
          {
            listen: formatListenAddress(relay.listen),
            url: relay.webhookUrl,
            target: relay.targetUrl,
            bridge: 'connecting',
            platform: platform.baseUrl,
            bridgeUrl: bridgeUrl(platform),
            watch: installation.relay.watch ?? null,
          },
          `relay for ${installation.name} listening on ${relay.webhookUrl}, forwarding to ${relay.targetUrl}\nbridge connecting to ${platform.baseUrl}`,
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
        logger.info('daemon stopping');
        await bridge.stop();
      } finally {
        await relay.close();
      }
    } finally {
      await engine.close();
      database.close();
    }
  },
};
