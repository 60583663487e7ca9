import type { ParseArgsConfig } from 'node:util';
import type { Logger } from '../core/logging/logger.js';
import type { CliIo } from './cli-io.js';
import type { Output } from './output.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** What every command receives: its parsed arguments, the global flags and the process edges. */
export interface CommandContext {
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly home: string;
  readonly json: boolean;
  readonly logLevel: LogLevel;
  readonly io: CliIo;
  readonly output: Output;
  /**
   * Writes redacted JSON lines to `<home>/logs/` at `--log-level` (default info), bound to the
   * command's name; `BDC_COMPANION_LOG_STDERR=1` mirrors them to stderr (for service managers).
   */
  readonly logger: Logger;
}

/**
 * One command of the CLI. `path` is the words that name it (`['installation', 'add']`); the
 * registry matches the longest path, so sub-commands need no dispatcher of their own.
 */
export interface Command {
  readonly path: readonly string[];
  readonly summary: string;
  /** Positional arguments as shown in help, e.g. `<name> [file]`. */
  readonly args?: string;
  readonly options?: OptionSpecs;
  /** One line per option for help: `['--repo P/slug', 'the repository']`. */
  readonly optionHelp?: readonly (readonly [string, string])[];
  readonly minPositionals?: number;
  readonly maxPositionals?: number;
  run(context: CommandContext): Promise<void>;
}
