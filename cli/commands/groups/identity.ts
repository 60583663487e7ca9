import type { Command } from '../../command.js';
import { authLogoutCommand } from '../auth-logout.js';
import { authOAuthCommand } from '../auth-oauth.js';
import { authPatCommand } from '../auth-pat.js';
import { authStatusCommand } from '../auth-status.js';
import { installationAddCommand } from '../installation-add.js';
import { installationListCommand } from '../installation-list.js';
import { installationRemoveCommand } from '../installation-remove.js';
import { installationShowCommand } from '../installation-show.js';
import { installationUpdateCommand } from '../installation-update.js';

/** The identity commands: installations and sign-in. */
export const identityCommands: readonly Command[] = [
  installationAddCommand,
  installationListCommand,
  installationShowCommand,
  installationUpdateCommand,
  installationRemoveCommand,
  authPatCommand,
  authOAuthCommand,
  authStatusCommand,
  authLogoutCommand,
];
