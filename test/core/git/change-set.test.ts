import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompanionError } from '../../../common/errors/companion-error.js';
import { planChanges } from '../../../core/git/change-plan.js';
import { buildChangeSet, normalisePath } from '../../../core/git/change-set.js';
import { blobOid, type TreeEntry } from '../../../core/git/git-objects.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

function code(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return (error as CompanionError).code;
  }
  return undefined;
}

describe('paths', () => {
  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['a/../b', 'dot-dot'],
    ['./a', 'dot'],
    ['a//b', 'double slash'],
    ['a/', 'trailing slash'],
    ['.git/hooks/pre-commit', '.git'],
    ['sub/.GIT/config', '.GIT'],
    ['a\\b', 'backslash'],
    ['a\u0000b', 'NUL'],
    ['a\nb', 'newline'],
  ])('refuses %j (%s) with PATH_INVALID', (path) => {
    expect(code(() => normalisePath(path))).toBe('PATH_INVALID');
  });

  it('accepts ordinary, dotted and unicode paths and normalises to NFC', () => {
    expect(normalisePath('apps/web/.env')).toBe('apps/web/.env');
    expect(normalisePath('.github/workflows/ci.yml')).toBe('.github/workflows/ci.yml');
    expect(normalisePath('cafe\u0301.txt')).toBe('caf\u00e9.txt');
    expect(normalisePath('.gitignore')).toBe('.gitignore');
  });

  it('refuses duplicates, case-only duplicates and a path that is a folder of another', () => {
    const put = (path: string) => ({ path, content: text('x') });
    expect(code(() => buildChangeSet([put('a.txt'), put('a.txt')]))).toBe('PATH_INVALID');
    expect(code(() => buildChangeSet([put('A.txt'), put('a.txt')]))).toBe('PATH_INVALID');
    expect(code(() => buildChangeSet([put('a'), put('a/b')]))).toBe('PATH_INVALID');
    expect(code(() => buildChangeSet([put('cafe\u0301'), put('caf\u00e9')]))).toBe('PATH_INVALID');
    expect(code(() => buildChangeSet([]))).toBe('PUSH_REQUEST_INVALID');
  });

  it('never lets a path with a traversal or .git segment through (property)', () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.git', '.GiT', '.', ''),
      fc.stringMatching(/^[a-z0-9._-]{1,8}$/),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const path = segments.join('/');
        let accepted: string | undefined;
        try {
          accepted = normalisePath(path);
        } catch (error) {
          expect((error as CompanionError).code).toBe('PATH_INVALID');
          return;
        }
        for (const part of accepted.split('/')) {
          expect(['', '.', '..', '.git']).not.toContain(part.toLowerCase());
        }
      }),
    );
  });
});

describe('planning a commit over a base tree', () => {
  const trees = new Map<string, TreeEntry[]>([
    [
      'root',
      [
        { mode: '100644', name: 'README.md', oid: blobOid(text('hello\n')) },
        { mode: '100755', name: 'run.sh', oid: blobOid(text('#!/bin/sh\n')) },
        { mode: '040000', name: 'apps', oid: 'apps' },
        { mode: '160000', name: 'vendored', oid: 'c'.repeat(40) },
      ],
    ],
    ['apps', [{ mode: '100644', name: 'web.yaml', oid: blobOid(text('a\n')) }]],
  ]);
  const read = async (oid: string) => trees.get(oid) ?? [];
  const plan = (changes: Parameters<typeof buildChangeSet>[0]) =>
    planChanges('root', buildChangeSet(changes).root, read);

  it('keeps modes, drops no-op changes and classifies the rest', async () => {
    const result = await plan([
      { path: 'run.sh', content: text('#!/bin/sh\necho\n') },
      { path: 'README.md', content: text('hello\n') },
      { path: 'apps/api.yaml', content: text('b\n') },
      { path: 'apps/web.yaml', kind: 'delete' },
      { path: 'gone.txt', kind: 'delete' },
    ]);
    expect(
      result.files.map((file) => [file.path, file.action, 'mode' in file ? file.mode : '-']),
    ).toEqual([
      ['apps/api.yaml', 'add', '100644'],
      ['apps/web.yaml', 'delete', '-'],
      ['run.sh', 'modify', '100755'],
    ]);
  });

  it('refuses case-only clashes with existing names, writes over folders or submodules, and files under files', async () => {
    await expect(plan([{ path: 'readme.md', content: text('x') }])).rejects.toMatchObject({
      code: 'PATH_INVALID',
    });
    await expect(plan([{ path: 'Apps/x.yaml', content: text('x') }])).rejects.toMatchObject({
      code: 'PATH_INVALID',
    });
    await expect(plan([{ path: 'apps', content: text('x') }])).rejects.toMatchObject({
      code: 'PATH_INVALID',
    });
    await expect(plan([{ path: 'vendored', content: text('x') }])).rejects.toMatchObject({
      code: 'PATH_INVALID',
    });
    await expect(plan([{ path: 'README.md/x', content: text('x') }])).rejects.toMatchObject({
      code: 'PATH_INVALID',
    });
  });
});
