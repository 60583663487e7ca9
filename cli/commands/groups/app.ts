import type { Command } from '../../command.js';

/** The app commands; the capability that owns them adds its commands here. */
export const appCommands: readonly Command[] = [];
