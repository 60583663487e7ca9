import type { Command } from '../../command.js';

/** The connection commands; the capability that owns them adds its commands here. */
export const connectionCommands: readonly Command[] = [];
