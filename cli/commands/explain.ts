import { catalogue, isErrorCode } from '../../common/errors/catalogue.js';
import { CompanionError, hintForSurface } from '../../common/errors/companion-error.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';

/** `explain CODE`: the cause and fix of an error code, or the whole catalogue. */
export const explainCommand: Command = {
  path: ['explain'],
  summary: 'explain an error code (cause and fix); without a code, list them all',
  args: '[CODE]',
  minPositionals: 0,
  maxPositionals: 1,
  async run({ positionals, output }) {
    const requested = positionals[0];
    if (requested === undefined) {
      const codes = Object.entries(catalogue).map(([code, entry]) => ({ code, ...entry }));
      output.success({ codes }, () =>
        formatRows(codes.map(({ code, cause }) => [code, cause] as const)),
      );
      return;
    }
    const code = requested.toUpperCase();
    if (!isErrorCode(code)) {
      throw new CompanionError('INPUT_INVALID', `"${requested}" is not a known error code.`, {
        hint: 'Run `bdc-companion explain` for the list of codes.',
      });
    }
    const entry = catalogue[code];
    // The command line's wording of the fix (the GUI has its own: common/errors/hint-surface.ts).
    const fix = hintForSurface(code, 'cli');
    output.success({ code, cause: entry.cause, fix }, () =>
      formatRows([
        ['code', code],
        ['cause', entry.cause],
        ['fix', fix],
      ]),
    );
  },
};
