import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli-harness.js';

// Facts the code relies on are written in docs/ with their sources, and comments cite docs/, never
// notes outside the repository (issue 13, item 9): a reader of the repository alone can follow
// every citation.
const FOLDERS = [
  'common',
  'core',
  'cli',
  'main',
  'preload',
  'renderer',
  'sim',
  'scripts',
  'bench',
  'test',
];
const OUTSIDE = /shared\/research|bdc-facts\.md|bdc-facts §|\bDESIGN\.md/u;

function sources(folder: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(folder)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) found.push(...sources(path));
    else if (/\.(ts|tsx|js|mjs|cjs)$/u.test(name)) found.push(path);
  }
  return found;
}

describe('comments cite docs/', () => {
  it('no source file cites notes outside the repository', () => {
    const self = join(repoRoot, 'test', 'rules', 'doc-citations.test.ts');
    const offenders = [
      ...FOLDERS.flatMap((folder) => sources(join(repoRoot, folder))),
      join(repoRoot, 'eslint.config.js'),
    ]
      .filter((path) => path !== self && OUTSIDE.test(readFileSync(path, 'utf8')))
      .map((path) => relative(repoRoot, path));
    expect(offenders).toEqual([]);
  });

  it('the pages they cite exist', () => {
    for (const page of ['docs/architecture.md', 'docs/bdc-api-facts.md']) {
      expect(readFileSync(join(repoRoot, page), 'utf8').length, page).toBeGreaterThan(1000);
    }
  });
});
