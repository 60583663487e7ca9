import { resolve } from 'node:path';
import { CompanionError } from '../../common/errors/companion-error.js';
import { collectDiagnosticBundle } from '../../core/use-cases/collect-diagnostics.js';
import type { Command } from '../command.js';

function count(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isNaN(parsed)) {
    throw new CompanionError(
      'USAGE_INVALID',
      `${flag} must be a whole number, not "${String(value)}".`,
    );
  }
  return parsed;
}

/** `diagnose [--out FILE]`: the redacted diagnostic bundle to attach to a support request. */
export const diagnoseCommand: Command = {
  path: ['diagnose'],
  summary:
    'collect a redacted diagnostic bundle (probe, chains, proxy routes, versions, history, logs)',
  maxPositionals: 0,
  options: {
    out: { type: 'string' },
    'skip-probe': { type: 'boolean' },
    'history-rows': { type: 'string' },
    'log-lines': { type: 'string' },
  },
  optionHelp: [
    ['--out FILE', 'write the bundle to FILE (mode 0600) instead of printing it'],
    ['--skip-probe', 'do not probe the installations (offline, or to be quick)'],
    ['--history-rows N', 'newest push-history rows and relay deliveries to include (default 50)'],
    ['--log-lines N', 'newest log lines to include (default 500)'],
  ],
  async run(context) {
    const { flags } = context;
    const rows = count(flags['history-rows'], '--history-rows', 50);
    const out = typeof flags['out'] === 'string' ? resolve(flags['out']) : undefined;
    const bundle = await collectDiagnosticBundle(
      { home: context.home, env: context.io.env, logger: context.logger },
      {
        probe: flags['skip-probe'] !== true,
        historyRows: rows,
        deliveryRows: rows,
        logLines: count(flags['log-lines'], '--log-lines', 500),
        ...(out === undefined ? {} : { out }),
      },
    );
    if (out === undefined) {
      context.output.success({ bundle }, () => JSON.stringify(bundle, null, 2));
      return;
    }
    context.output.success(
      { path: out, installations: bundle.installations.length, problems: bundle.problems },
      () =>
        [
          `diagnostic bundle written to ${out}`,
          `${bundle.installations.length} installation(s); secrets removed — review it before sharing`,
          ...bundle.problems.map((problem) => `note: ${problem}`),
        ].join('\n'),
    );
  },
};
