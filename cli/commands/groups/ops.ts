import type { Command } from '../../command.js';

/** The ops commands; the capability that owns them adds its commands here. */
export const opsCommands: readonly Command[] = [];
