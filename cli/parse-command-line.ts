import { parseArgs } from 'node:util';
import { CompanionError } from '../common/errors/companion-error.js';
import type { Command, LogLevel } from './command.js';

export interface GlobalFlags {
  readonly home: string | undefined;
  readonly json: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly logLevel: LogLevel;
}

export interface ParsedCommandLine {
  readonly globals: GlobalFlags;
  /** Undefined when no command word was given (plain `--help` or `--version`). */
  readonly command: Command | undefined;
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
}

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
const VALUED_GLOBALS = new Set(['--home', '--log-level']);
const BOOLEAN_GLOBALS = new Set(['--json', '--help', '-h', '--version']);

function usage(message: string, hint?: string): CompanionError {
  return new CompanionError('USAGE_INVALID', message, hint === undefined ? {} : { hint });
}

/**
 * Global flags may appear anywhere (`bdc-companion --json probe URL` and
 * `bdc-companion probe URL --json` are the same), so they are taken out first; what remains is
 * the command words followed by the command's own arguments.
 */
function extractGlobals(
  argv: readonly string[],
  commandOwnsVersion = false,
): { globals: GlobalFlags; rest: string[] } {
  let home: string | undefined;
  let logLevel: string = 'info';
  let json = false;
  let help = false;
  let version = false;
  const rest: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] as string;
    if (token === '--') {
      rest.push(...argv.slice(index));
      break;
    }
    const [name, inlineValue] = token.startsWith('--') ? splitOnce(token, '=') : [token, undefined];
    if (VALUED_GLOBALS.has(name)) {
      const value = inlineValue ?? argv[index + 1];
      if (value === undefined || (inlineValue === undefined && value.startsWith('-'))) {
        throw usage(`${name} needs a value.`);
      }
      if (inlineValue === undefined) index += 1;
      if (name === '--home') home = value;
      else logLevel = value;
    } else if (BOOLEAN_GLOBALS.has(token) && !(commandOwnsVersion && token === '--version')) {
      if (token === '--json') json = true;
      else if (token === '--version') version = true;
      else help = true;
    } else {
      rest.push(token);
    }
  }
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}".`);
  }
  return { globals: { home, json, help, version, logLevel: logLevel as LogLevel }, rest };
}

function splitOnce(token: string, separator: string): [string, string | undefined] {
  const at = token.indexOf(separator);
  return at === -1 ? [token, undefined] : [token.slice(0, at), token.slice(at + 1)];
}

function findCommand(
  words: readonly string[],
  commands: readonly Command[],
): { command: Command; consumed: number } | undefined {
  let best: { command: Command; consumed: number } | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, index) => words[index] === word);
    if (matches && command.path.length > (best?.consumed ?? 0)) {
      best = { command, consumed: command.path.length };
    }
  }
  return best;
}

export function parseCommandLine(
  argv: readonly string[],
  commands: readonly Command[],
): ParsedCommandLine {
  let { globals, rest } = extractGlobals(argv);
  const leadingWords: string[] = [];
  for (const token of rest) {
    if (token.startsWith('-')) break;
    leadingWords.push(token);
  }
  if (leadingWords.length === 0) {
    if (rest.length > 0) throw usage(`Unknown flag ${rest[0]}.`, 'Run `bdc-companion --help`.');
    return { globals, command: undefined, positionals: [], flags: {} };
  }
  const found = findCommand(leadingWords, commands);
  if (!found) {
    const attempted = leadingWords.slice(0, 2).join(' ');
    throw new CompanionError('COMMAND_UNKNOWN', `There is no command "${attempted}".`);
  }
  const { command, consumed } = found;
  // A command that declares its own `--version` (e.g. `sim --version 9.4.22`) gets it.
  if (globals.version && command.options?.['version'] !== undefined) {
    ({ globals, rest } = extractGlobals(argv, true));
  }
  if (globals.help) return { globals, command, positionals: [], flags: {} };

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest.slice(consumed),
      options: command.options ?? {},
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw usage(`${detail}`, `Run \`bdc-companion ${command.path.join(' ')} --help\`.`);
  }
  const min = command.minPositionals ?? 0;
  const max = command.maxPositionals ?? min;
  const { positionals } = parsed;
  if (positionals.length < min) {
    throw usage(
      `\`${command.path.join(' ')}\` needs ${command.args ?? `${min} argument(s)`}.`,
      `Run \`bdc-companion ${command.path.join(' ')} --help\`.`,
    );
  }
  if (positionals.length > max) {
    throw usage(`Unexpected argument "${positionals[max]}".`);
  }
  return {
    globals,
    command,
    positionals,
    flags: parsed.values as ParsedCommandLine['flags'],
  };
}
