import type { Command } from '../../command.js';
import { webhooksListCommand } from '../webhooks-list.js';
import { webhooksRegisterCommand } from '../webhooks-register.js';
import { webhooksRotateSecretCommand } from '../webhooks-rotate-secret.js';
import { webhooksUnregisterCommand } from '../webhooks-unregister.js';

/** The webhooks commands. */
export const webhooksCommands: readonly Command[] = [
  webhooksRegisterCommand,
  webhooksListCommand,
  webhooksRotateSecretCommand,
  webhooksUnregisterCommand,
];
