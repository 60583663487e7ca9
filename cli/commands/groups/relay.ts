import type { Command } from '../../command.js';
import { relayDeliveriesCommand } from '../relay-deliveries.js';
import { relayReplayCommand } from '../relay-replay.js';
import { relayRunCommand } from '../relay-run.js';
import { relayShowCommand } from '../relay-show.js';
import { relayStatusCommand } from '../relay-status.js';
import { relayWatchCommand } from '../relay-watch.js';

/** The relay commands. */
export const relayCommands: readonly Command[] = [
  relayRunCommand,
  relayStatusCommand,
  relayWatchCommand,
  relayDeliveriesCommand,
  relayShowCommand,
  relayReplayCommand,
];
