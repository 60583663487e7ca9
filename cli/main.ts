import { CompanionError } from '../common/errors/companion-error.js';
import { COMPANION_VERSION } from '../common/version.js';
import type { Logger } from '../core/logging/logger.js';
import { silentLogger } from '../core/logging/logger.js';
import { resolveConfigHome } from '../core/settings/config-home.js';
import { processIo, type CliIo } from './cli-io.js';
import type { Command } from './command.js';
import { lazyCommands, type CommandManifestEntry } from './lazy-commands.js';
import { commandHelp, generalHelp } from './help.js';
import { Output } from './output.js';
import { parseCommandLine } from './parse-command-line.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Set by the build (scripts/build.mjs) in the bundled CLI; undefined when run from sources. */
declare const __COMMAND_MANIFEST__: readonly CommandManifestEntry[] | undefined;

/**
 * The bundle starts from the build's manifest and loads a command's code only when it runs; run
 * from sources (tests), the registry itself is loaded.
 */
async function registeredCommands(): Promise<readonly Command[]> {
  if (typeof __COMMAND_MANIFEST__ !== 'undefined') return lazyCommands(__COMMAND_MANIFEST__);
  return (await import('./command-registry.js')).commands;
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

/**
 * Runs one command line and returns the exit code. Never calls `process.exit`, so tests run it
 * in-process and long-running commands finish their clean shutdown before the process ends.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  given?: readonly Command[],
): Promise<number> {
  let output = new Output(io, wantsJson(argv));
  let logger: Logger = silentLogger;
  let unrouted = (): void => undefined;
  try {
    const commands = given ?? (await registeredCommands());
    const parsed = parseCommandLine(argv, commands);
    output = new Output(io, parsed.globals.json);
    if (parsed.globals.version && !parsed.command) {
      output.success({ version: COMPANION_VERSION }, () => COMPANION_VERSION);
      return EXIT_OK;
    }
    if (!parsed.command || parsed.globals.help) {
      io.stdout.write(parsed.command ? commandHelp(parsed.command) : generalHelp(commands));
      return parsed.command || parsed.globals.help ? EXIT_OK : EXIT_USAGE;
    }
    const home = resolveConfigHome(parsed.globals.home, io.env);
    // Loaded here, not at start: `--help` and `--version` write no log (bench/RESULTS.md, start-up).
    const { createLogger } = await import('../core/logging/file-logger.js');
    logger = createLogger({
      home,
      level: parsed.globals.logLevel,
      component: 'cli',
      ...(io.env['BDC_COMPANION_LOG_STDERR'] === '1' ? { mirror: io.stderr } : {}),
    }).child({ command: parsed.command.path.join(' ') });
    logger.debug('command started');
    // Every connection this command makes takes the route `network show` reports.
    // Loaded here, not at start: `--help` and `--version` make no connection.
    const { routeConnectionsFromHome } = await import('../core/use-cases/route-connections.js');
    unrouted = routeConnectionsFromHome(home, io.env);
    await parsed.command.run({
      positionals: parsed.positionals,
      flags: parsed.flags,
      home,
      json: parsed.globals.json,
      logLevel: parsed.globals.logLevel,
      io,
      output,
      logger,
    });
    return EXIT_OK;
  } catch (error) {
    const shape = output.failure(error);
    // Debug only: the failure is already on stderr, and a plain run must not create log files.
    logger.debug('command failed', { code: shape.code, message: shape.message });
    const isUsage =
      error instanceof CompanionError &&
      (shape.code === 'USAGE_INVALID' || shape.code === 'COMMAND_UNKNOWN');
    return isUsage ? EXIT_USAGE : EXIT_FAILED;
  } finally {
    unrouted();
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, processIo());
}
