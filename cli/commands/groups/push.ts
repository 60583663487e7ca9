import type { Command } from '../../command.js';

/** The push commands; the capability that owns them adds its commands here. */
export const pushCommands: readonly Command[] = [];
