import type { Command } from '../../command.js';

/** The webhooks commands; the capability that owns them adds its commands here. */
export const webhooksCommands: readonly Command[] = [];
