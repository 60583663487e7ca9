import type { Command } from '../../command.js';
import { bridgePolicyCommand } from '../bridge-policy.js';
import { bridgeRunCommand } from '../bridge-run.js';
import { bridgeStatusCommand } from '../bridge-status.js';

/** The platform bridge commands (`docs/bridge.md`). */
export const bridgeCommands: readonly Command[] = [
  bridgeRunCommand,
  bridgeStatusCommand,
  bridgePolicyCommand,
];
