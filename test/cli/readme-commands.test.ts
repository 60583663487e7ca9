import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../cli/command-registry.js';
import { repoRoot } from '../helpers/cli-harness.js';

// CLI.md: every command is documented in `--help` and in the README.
describe('README command table', () => {
  it('lists every registered command', () => {
    const readme = readFileSync(`${repoRoot}README.md`, 'utf8');
    const table = readme.slice(readme.indexOf('## Commands'));
    const missing = commands
      .map((command) => command.path.join(' '))
      .filter((path) => !table.includes(`| \`${path}`));
    expect(missing).toEqual([]);
  });
});
