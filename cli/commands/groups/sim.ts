import type { Command } from '../../command.js';
import { simCommand } from '../sim.js';

/** The sim commands: the local BDC and platform stand-ins for tests and the demo. */
export const simCommands: readonly Command[] = [simCommand];
