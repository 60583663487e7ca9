import type { Command } from '../../command.js';

/** The sim commands; the capability that owns them adds its commands here. */
export const simCommands: readonly Command[] = [];
