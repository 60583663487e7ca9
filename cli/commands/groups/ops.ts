import type { Command } from '../../command.js';
import { diagnoseCommand } from '../diagnose.js';
import { serviceInstallCommand } from '../service-install.js';

/** The ops commands: running the companion as a service, and diagnosing it. */
export const opsCommands: readonly Command[] = [serviceInstallCommand, diagnoseCommand];
