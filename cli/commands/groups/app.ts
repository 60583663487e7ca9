import type { Command } from '../../command.js';
import { demoCommand } from '../demo.js';
import { serveCommand } from '../serve.js';

/** The app commands: the UI served headless, and the demo. */
export const appCommands: readonly Command[] = [serveCommand, demoCommand];
