import type { Command } from './command.js';
import { explainCommand } from './commands/explain.js';
import { daemonRunCommand } from './commands/daemon-run.js';
import { appCommands } from './commands/groups/app.js';
import { bridgeCommands } from './commands/groups/bridge.js';
import { connectionCommands } from './commands/groups/connection.js';
import { identityCommands } from './commands/groups/identity.js';
import { opsCommands } from './commands/groups/ops.js';
import { pushCommands } from './commands/groups/push.js';
import { relayCommands } from './commands/groups/relay.js';
import { simCommands } from './commands/groups/sim.js';
import { webhooksCommands } from './commands/groups/webhooks.js';

/**
 * Every command of the CLI, in the order `--help` lists them. One file per command; each
 * capability lists its commands in its own group file.
 */
export const commands: readonly Command[] = [
  ...connectionCommands,
  ...identityCommands,
  ...pushCommands,
  ...relayCommands,
  ...bridgeCommands,
  daemonRunCommand,
  ...webhooksCommands,
  ...appCommands,
  ...simCommands,
  ...opsCommands,
  explainCommand,
];
