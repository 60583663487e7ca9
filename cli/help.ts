import { CLI_NAME, COMPANION_VERSION, PRODUCT_NAME } from '../common/version.js';
import type { Command } from './command.js';

const GLOBAL_FLAGS: readonly (readonly [string, string])[] = [
  ['--home DIR', 'config home (also BDC_COMPANION_HOME)'],
  ['--json', 'print exactly one JSON document on stdout'],
  ['--log-level LEVEL', 'error, warn, info (default) or debug'],
  ['--help, -h', 'show help (for a command: bdc-companion <command> --help)'],
  ['--version', 'print the version'],
];

function columns(rows: readonly (readonly [string, string])[], indent = '  '): string {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`).join('\n');
}

function synopsis(command: Command): string {
  return [CLI_NAME, ...command.path, command.args ?? ''].filter(Boolean).join(' ');
}

export function generalHelp(commands: readonly Command[]): string {
  const rows = commands.map(
    (command) => [[...command.path, command.args ?? ''].join(' ').trim(), command.summary] as const,
  );
  return [
    `${PRODUCT_NAME} ${COMPANION_VERSION}`,
    'Bridges a private Bitbucket Data Center to the Ankra GitOps platform.',
    '',
    `Usage: ${CLI_NAME} <command> [arguments] [flags]`,
    '',
    'Commands:',
    columns(rows),
    '',
    'Global flags:',
    columns(GLOBAL_FLAGS),
    '',
    'Exit codes: 0 success, 1 the operation failed, 2 usage error.',
    'Secrets are never accepted as arguments: use --*-stdin, --*-file or the prompt.',
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: ${synopsis(command)} [flags]`, '', command.summary];
  if (command.optionHelp && command.optionHelp.length > 0) {
    lines.push('', 'Flags:', columns(command.optionHelp));
  }
  lines.push('', 'Global flags:', columns(GLOBAL_FLAGS), '');
  return lines.join('\n');
}
