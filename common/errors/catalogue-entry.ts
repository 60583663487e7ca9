/**
 * Why an error happens and what the user can do about it, each in one line. A fix speaks where it
 * is shown: `fix` is the wording for both surfaces when it names neither a flag nor a button;
 * otherwise `fixGui` (the desktop app and `serve`: fields, steps, views — never a flag) and
 * `fixCli` (the command line: commands and flags — never "paste" or "click") replace it.
 * test/common/errors/hint-surfaces.test.ts enforces both rules for every code.
 */
export interface CatalogueEntry {
  readonly cause: string;
  readonly fix: string;
  readonly fixGui?: string;
  readonly fixCli?: string;
}

export type CatalogueSection = Readonly<Record<string, CatalogueEntry>>;
