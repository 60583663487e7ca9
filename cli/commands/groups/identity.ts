import type { Command } from '../../command.js';

/** The identity commands; the capability that owns them adds its commands here. */
export const identityCommands: readonly Command[] = [];
