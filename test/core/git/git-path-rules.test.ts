import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import git from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionError } from '../../../common/errors/companion-error.js';
import { normalisePath } from '../../../core/git/change-set.js';
import { entryNameProblem } from '../../../core/git/git-path-rules.js';

function code(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return (error as CompanionError).code;
  }
  return undefined;
}

describe('git path rules (docs/git-path-rules.md)', () => {
  it.each([
    ['.git.', 'trailing dot (NTFS)'],
    ['.git /x', 'trailing space (NTFS)'],
    ['a/.GIT . ./x', 'trailing dots and spaces'],
    ['GIT~1/config', '8.3 short name'],
    ['git~1. /x', 'short name with a tail'],
    ['.git::$INDEX_ALLOCATION/x', 'alternate data stream'],
    ['.git:x', 'any stream'],
    ['.git\u200c/x', 'ZERO WIDTH NON-JOINER (HFS+)'],
    ['.g\u200dit/x', 'ZERO WIDTH JOINER inside'],
    ['\ufeff.git/x', 'BOM before'],
    ['.gi\u206ft', 'NOMINAL DIGIT SHAPES'],
    ['a/...', 'only dots (Win32 trims to ..)'],
    ['. ./x', 'dots and spaces'],
    ['git~2/x', 'short name the isomorphic-git reader refuses'],
    ['.git~1', 'dotted short name the isomorphic-git reader refuses'],
    ['a\uD800b', 'lone surrogate'],
  ])('refuses %j (%s) with PATH_INVALID', (path) => {
    expect(code(() => normalisePath(path))).toBe('PATH_INVALID');
  });

  it.each([
    '.gitmodules',
    '.gitmodules.',
    'GITMOD~1',
    'gi7eba~1',
    '.git\u200cmodules',
    '.GitModules',
  ])(
    'refuses a symbolic link named %j, and accepts a regular file of that name unless it is a .git alias',
    (name) => {
      expect(code(() => normalisePath(`a/${name}`, '120000'))).toBe('PATH_INVALID');
      expect(code(() => normalisePath(`a/${name}`))).toBeUndefined();
    },
  );

  it.each(['.gitattributes ', 'GI7D29~1', '.gitignore', 'gitign~1', '.mailmap.'])(
    'refuses to write a symbolic link named %j (fsck flags it)',
    (name) => {
      expect(code(() => normalisePath(name, '120000'))).toBe('PATH_INVALID');
    },
  );

  it('accepts names that only resemble .git', () => {
    for (const path of [
      '.github/workflows/ci.yml',
      '.gitignore',
      '.gitmodules',
      '.git-blame-ignore-revs',
      'git~1x/a',
      'a.git/b',
      '.gitx',
      'x/.git-crypt/keys',
      'caf\u00e9/na\u00efve',
      'emoji/\u{1F600}.txt',
    ]) {
      expect(normalisePath(path)).toBe(path);
    }
  });
});

/**
 * The oracle is the installed git itself: `update-index --index-info` with core.protectNTFS and
 * core.protectHFS on runs verify_path and prints "Ignoring path" for each path it refuses;
 * `fsck --strict` then checks every tree built from the accepted ones; and isomorphic-git must
 * read each accepted tree back.
 */
describe('agreement with git (property)', () => {
  let dir: string;
  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env['PATH'],
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_INDEX_FILE: path.join(dir, 'test-index'),
    GIT_AUTHOR_NAME: 'Rules',
    GIT_AUTHOR_EMAIL: 'rules@example.com',
    GIT_COMMITTER_NAME: 'Rules',
    GIT_COMMITTER_EMAIL: 'rules@example.com',
  });
  const run = (args: string[], input?: string): string =>
    execFileSync('git', ['--git-dir', dir, ...args], {
      encoding: 'utf8',
      input,
      env: env(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  let blob: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'path-rules-'));
    execFileSync('git', ['init', '-q', '--bare', dir]);
    blob = run(['hash-object', '-w', '--stdin'], 'x\n').trim();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Segments built from the pieces git's rules look at, so the edge cases come up often. */
  const segment = fc
    .tuple(
      fc.constantFrom('', '.', '.git', '.GiT', 'git~1', 'GIT~', 'gitmod~1', 'GI7EBA~1', 'x'),
      fc.array(
        fc.constantFrom(
          '.',
          ' ',
          ':',
          '~',
          '1',
          '5',
          'git',
          'modules',
          '$INDEX_ALLOCATION',
          '\u200c',
          '\u200e',
          '\ufeff',
          '\u206a',
          'g',
          'i',
          't',
          'x',
          '\u00e9',
        ),
        { maxLength: 4 },
      ),
      fc.array(fc.constantFrom('\u200c', '\ufeff', '.', ' '), { maxLength: 2 }),
    )
    .map(([head, middle, tail]) => `${head}${middle.join('')}${tail.join('')}`)
    .filter((name) => name !== '');

  function gitRefuses(paths: readonly string[], mode: string): Set<string> {
    fs.rmSync(path.join(dir, 'test-index'), { force: true });
    const result = execFileSync(
      'sh',
      [
        '-c',
        'git --git-dir "$1" -c core.protectNTFS=true -c core.protectHFS=true update-index -z --index-info 2>&1',
        'sh',
        dir,
      ],
      {
        input: paths.map((entry) => `${mode} ${blob}\t${entry}\u0000`).join(''),
        env: env(),
        encoding: 'utf8',
      },
    );
    return new Set(
      result
        .split('\n')
        .filter((line) => line.startsWith('Ignoring path '))
        .map((line) => line.slice('Ignoring path '.length)),
    );
  }

  const accepts = (candidate: string, mode: '100644' | '120000' = '100644'): boolean =>
    code(() => normalisePath(candidate, mode)) === undefined;

  it('refuses every path git refuses, and what it accepts passes fsck --strict and reads back', async () => {
    const samples = fc.sample(
      fc.tuple(segment, fc.boolean()).map(([name, nested]) => (nested ? `d/${name}/f` : name)),
      { numRuns: 400, seed: 15 },
    );
    const paths = [...new Set(samples)].filter((candidate) => !candidate.includes('\u0000'));
    const refusedByGit = gitRefuses(paths, '100644');
    expect(refusedByGit.size).toBeGreaterThan(20);
    for (const candidate of paths) {
      if (refusedByGit.has(candidate)) expect(accepts(candidate), candidate).toBe(false);
    }

    // Everything accepted, one tree per path: fsck --strict and isomorphic-git judge each.
    const accepted = paths.filter((candidate) => accepts(candidate));
    expect(accepted.length).toBeGreaterThan(20);
    const segmentsOf = accepted.map((candidate) => candidate.split('/'));
    const batch = segmentsOf
      .map((parts) => `100644 blob ${blob}\t${parts[parts.length - 1] as string}\n`)
      .join('\n');
    const trees = run(['mktree', '--batch'], `${batch}\n`).trim().split('\n');
    expect(trees).toHaveLength(accepted.length);
    const root = run(
      ['mktree'],
      trees.map((tree, index) => `040000 tree ${tree}\tt${index}\n`).join(''),
    ).trim();
    const commit = run(['commit-tree', root, '-m', 'all accepted names'], '').trim();
    run(['update-ref', 'refs/heads/main', commit]);
    run(['fsck', '--strict', '--no-dangling']);
    for (const tree of trees) await git.readTree({ fs, gitdir: dir, oid: tree });

    // A refusal git does not share is one of the documented extra rules (the isomorphic-git
    // reader's), never an accident: entryNameProblem names it.
    for (const candidate of paths) {
      if (!accepts(candidate) && !refusedByGit.has(candidate)) {
        const problems = candidate
          .split('/')
          .map((part) => entryNameProblem(part.normalize('NFC'), '100644'))
          .filter((problem) => problem !== undefined);
        expect(problems.join(''), candidate).toMatch(/Windows reads as|control character|^$/u);
      }
    }
  });

  it('refuses every symbolic link git refuses', () => {
    const samples = fc.sample(segment, { numRuns: 300, seed: 7 });
    const paths = [...new Set(samples)];
    const refusedByGit = gitRefuses(paths, '120000');
    for (const candidate of paths) {
      if (refusedByGit.has(candidate)) expect(accepts(candidate, '120000'), candidate).toBe(false);
    }
  });
});
