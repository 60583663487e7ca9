import type { Command } from './command.js';
import { explainCommand } from './commands/explain.js';

/** Every command of the CLI, in the order `--help` lists them. One file per command. */
export const commands: readonly Command[] = [explainCommand];
