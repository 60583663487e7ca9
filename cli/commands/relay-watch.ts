import { CompanionError } from '../../common/errors/companion-error.js';
import { DEFAULT_WATCH_INTERVAL_SECONDS } from '../../common/models/watch.js';
import { configureWatch, parseWatchInterval } from '../../core/use-cases/configure-watch.js';
import type { Command } from '../command.js';
import { withLocalPorts } from './relay-support.js';
import { listFlag } from '../flag-values.js';
import { formatRows } from '../output.js';

function intervalFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  return parseWatchInterval(/^\d+$/.test(text) ? Number(text) : Number.NaN);
}

/**
 * `relay watch <name> (--repo P/slug… | --project KEY…) [--interval S]` · `relay watch <name> --off`:
 * stores what watch mode watches (docs/watch-mode.md). The relay (`relay run`, `run`) polls it.
 */
export const relayWatchCommand: Command = {
  path: ['relay', 'watch'],
  summary:
    'watch mode: the companion polls the refs itself and sends BDC-shaped signed events, for a BDC that cannot reach the relay',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    repo: { type: 'string', multiple: true },
    project: { type: 'string', multiple: true },
    interval: { type: 'string' },
    off: { type: 'boolean' },
  },
  optionHelp: [
    ['--repo PROJECT/slug', 'a repository to watch (repeat, or separate with commas)'],
    ['--project KEY', 'every repository of a project, as they come and go (repeatable)'],
    [
      '--interval SECONDS',
      `seconds between two polls, 5 to 3600 (default ${DEFAULT_WATCH_INTERVAL_SECONDS})`,
    ],
    ['--off', 'stop watching (the stored refs are kept for a later restart)'],
  ],
  async run(context) {
    const name = context.positionals[0] as string;
    const { flags } = context;
    const repositories = listFlag(flags['repo'], true);
    const projects = listFlag(flags['project'], true);
    const off = flags['off'] === true;
    if (
      off &&
      (repositories.length > 0 || projects.length > 0 || flags['interval'] !== undefined)
    ) {
      throw new CompanionError('USAGE_INVALID', '--off takes no --repo, --project or --interval.');
    }
    const intervalSeconds = intervalFlag(flags['interval']);
    const installation = await withLocalPorts(context, (ports) =>
      configureWatch(
        ports.settings,
        name,
        off
          ? { kind: 'off' }
          : {
              kind: 'on',
              repositories,
              projects,
              ...(intervalSeconds === undefined ? {} : { intervalSeconds }),
            },
      ),
    );
    const watch = installation.relay.watch;
    context.output.success(
      {
        installation: installation.name,
        enabled: watch !== undefined,
        watch: watch ?? null,
      },
      () =>
        watch === undefined
          ? `watch mode is off for ${installation.name}; a running relay stops polling within seconds`
          : formatRows([
              ['watch mode', `on for ${installation.name}`],
              ['repositories', watch.repositories.join(', ') || '-'],
              ['projects', watch.projects.join(', ') || '-'],
              ['interval', `${watch.intervalSeconds} s`],
              [
                'next',
                `\`bdc-companion relay run ${installation.name}\` (or \`run ${installation.name}\`) polls it; a running relay applies the change within seconds, without a restart`,
              ],
            ]),
    );
  },
};
