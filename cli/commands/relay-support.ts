import { CompanionError } from '../../common/errors/companion-error.js';
import type { LogFields, Logger, LogLevelName } from '../../core/logging/logger.js';
import { redactValue } from '../../core/logging/redact.js';
import { openLocalPorts, type LocalPorts } from '../../core/use-cases/local-ports.js';
import type { CommandContext } from '../command.js';

/**
 * Runs `work` with the config home's ports (settings now, the secret store and the database when
 * first asked), closing them whatever happens.
 */
export async function withLocalPorts<T>(
  context: CommandContext,
  work: (ports: LocalPorts) => T | Promise<T>,
): Promise<T> {
  const ports = openLocalPorts(context.home, context.io.env);
  try {
    return await work(ports);
  } finally {
    ports.close();
  }
}

const LEVELS: readonly LogLevelName[] = ['error', 'warn', 'info', 'debug'];

/**
 * The daemon's log: one JSON line per event on stderr (journald and service managers collect
 * it). The relay logs ids, counts and error texts only, never secrets, bodies or signatures.
 */
export function stderrLogger(context: CommandContext, base: LogFields = {}): Logger {
  const threshold = LEVELS.indexOf(context.logLevel);
  const write =
    (level: LogLevelName) =>
    (message: string, fields: LogFields = {}): void => {
      if (LEVELS.indexOf(level) > threshold) return;
      // Through the one redactor, like every logger (core/logging/redact.ts).
      const line = redactValue({
        time: new Date().toISOString(),
        level,
        message,
        ...base,
        ...fields,
      });
      context.io.stderr.write(`${JSON.stringify(line)}\n`);
      // And to the rotated log file of the config home, which the diagnostic bundle includes.
      context.logger[level](message, { ...base, ...fields });
    };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (fields) => stderrLogger(context, { ...base, ...fields }),
  };
}

export function positiveInteger(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (
    typeof value !== 'string' ||
    !/^\d+$/.test(value) ||
    !Number.isSafeInteger(number) ||
    number <= 0
  ) {
    throw new CompanionError(
      'USAGE_INVALID',
      `${flag} needs a positive whole number, not "${String(value)}".`,
    );
  }
  return number;
}

export function ageText(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
