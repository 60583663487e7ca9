import type { Command } from '../../command.js';
import { historyCommand } from '../history.js';
import { pushCommand } from '../push.js';

/** The push commands; the capability that owns them adds its commands here. */
export const pushCommands: readonly Command[] = [pushCommand, historyCommand];
