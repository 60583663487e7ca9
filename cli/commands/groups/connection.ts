import type { Command } from '../../command.js';
import { caCheckCommand } from '../ca-check.js';
import { networkSetCommand } from '../network-set.js';
import { networkShowCommand } from '../network-show.js';
import { probeCommand } from '../probe.js';

/** The connection commands: the step-by-step probe, CA validation, and the proxy setting. */
export const connectionCommands: readonly Command[] = [
  probeCommand,
  caCheckCommand,
  networkShowCommand,
  networkSetCommand,
];
