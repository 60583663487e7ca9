import { CompanionError } from '../common/errors/companion-error.js';
import type { Command } from './command.js';

/**
 * A command as the build records it (scripts/build.mjs): everything `--help` and the parser need,
 * and where its code is. The bundled CLI starts from this list, so `--version`, `--help` and each
 * command load only their own code — not isomorphic-git, node-forge, SQLite and every use case
 * (issue [perf]: `--help` spent 0.36 s loading modules it never used).
 */
export interface CommandManifestEntry {
  /** The file under `cli/commands/` that defines it, with its extension (`push.ts`). */
  readonly file: string;
  readonly exportName: string;
  readonly command: Omit<Command, 'run'>;
}

/** Loads a command module of the bundle (esbuild turns the pattern into one chunk per file). */
function importCommandModule(file: string): Promise<Readonly<Record<string, unknown>>> {
  return import(`./commands/${file}`) as Promise<Readonly<Record<string, unknown>>>;
}

/** Commands whose `run` imports the command's module the first time it runs. */
export function lazyCommands(manifest: readonly CommandManifestEntry[]): readonly Command[] {
  return manifest.map(({ file, exportName, command }) => ({
    ...command,
    async run(context) {
      const loaded = (await importCommandModule(file))[exportName] as Command | undefined;
      if (loaded === undefined || typeof loaded.run !== 'function') {
        throw new CompanionError(
          'INTERNAL_ERROR',
          `The command ${command.path.join(' ')} is missing from this build.`,
        );
      }
      await loaded.run(context);
    },
  }));
}
