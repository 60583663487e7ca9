import type { Command } from '../../command.js';
import { caCheckCommand } from '../ca-check.js';
import { probeCommand } from '../probe.js';

/** The connection commands: the step-by-step probe and CA validation. */
export const connectionCommands: readonly Command[] = [probeCommand, caCheckCommand];
