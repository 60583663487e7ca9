import type { Command } from '../../command.js';

/** The relay commands; the capability that owns them adds its commands here. */
export const relayCommands: readonly Command[] = [];
