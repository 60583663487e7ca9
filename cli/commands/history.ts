import { CompanionError } from '../../common/errors/companion-error.js';
import { listPushHistory } from '../../core/use-cases/list-push-history.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import type { Command } from '../command.js';

/** `history [--installation name] [--limit N]`: the push history, newest first. */
export const historyCommand: Command = {
  path: ['history'],
  summary: 'show the push history, newest first',
  minPositionals: 0,
  maxPositionals: 0,
  options: {
    installation: { type: 'string' },
    limit: { type: 'string' },
    repo: { type: 'string' },
  },
  optionHelp: [
    ['--installation NAME', 'only pushes of this installation'],
    ['--repo PROJECT/slug', 'only pushes to this repository'],
    ['--limit N', 'at most N entries (default 50, at most 1000)'],
  ],
  async run(context) {
    const limitText = context.flags['limit'];
    let limit: number | undefined;
    if (limitText !== undefined) {
      limit =
        typeof limitText === 'string' && /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
        throw new CompanionError(
          'USAGE_INVALID',
          `--limit needs a whole number from 1 to 1000, not "${String(limitText)}".`,
        );
      }
    }
    const name = context.flags['installation'];
    const repo = context.flags['repo'];
    const ports = openLocalPorts(context.home, context.io.env);
    try {
      const entries = listPushHistory(
        { settings: ports.settings, database: ports.database() },
        {
          ...(typeof name === 'string' ? { installation: name } : {}),
          ...(typeof repo === 'string' ? { repo } : {}),
          ...(limit === undefined ? {} : { limit }),
        },
      );
      context.output.success({ entries }, () =>
        entries.length === 0
          ? 'No pushes recorded yet.'
          : entries
              .map((entry) => {
                const what =
                  entry.result === 'committed'
                    ? (entry.commit ?? '').slice(0, 12)
                    : entry.result === 'noop'
                      ? 'no change'
                      : `failed ${entry.error?.code ?? ''}`;
                return `${entry.at}  ${entry.installationName}  ${entry.repo}:${entry.branch}  ${entry.paths.length} file(s)  ${what}  ${entry.engine ?? '-'}  ${entry.attempts.length} attempt(s)  ${entry.durationMs} ms`;
              })
              .join('\n'),
      );
    } finally {
      ports.close();
    }
  },
};
