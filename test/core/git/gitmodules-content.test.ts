import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildChangeSet } from '../../../core/git/change-set.js';

// Issue 15: a `.gitmodules` a push writes is checked as git fsck checks it (fsck.c
// fsck_gitmodules_fn, submodule-config.c check_submodule_name). Each bad case is first shown to be
// refused by the real git's fsck, so the companion follows git's rule, not a guess of it.
const root = mkdtempSync(join(tmpdir(), 'gitmodules-fsck-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let repos = 0;

/**
 * What `git fsck` says about a commit whose tree holds this `.gitmodules` under `name`, in a
 * repository of its own (fsck also reads unreachable objects, so earlier cases would leak in).
 */
function fsckOf(text: string, name = '.gitmodules'): string {
  const repo = join(root, `r${(repos += 1)}`);
  execFileSync('git', ['init', '--quiet', '--bare', repo]);
  const git = (args: string[], input?: string): string =>
    execFileSync('git', ['--git-dir', repo, ...args], {
      encoding: 'utf8',
      ...(input === undefined ? {} : { input }),
    }).trim();
  const blob = git(['hash-object', '-w', '--stdin'], text);
  const tree = git(['mktree'], `100644 blob ${blob}\t${name}\n`);
  const commit = git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit-tree', tree, '-m', 'm']);
  git(['update-ref', 'refs/heads/check', commit]);
  try {
    return execFileSync('git', ['--git-dir', repo, 'fsck', '--no-dangling'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
  }
}

const put = (text: string, path = '.gitmodules') =>
  buildChangeSet([{ path, content: new TextEncoder().encode(text) }]);
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

const BAD: readonly (readonly [string, string, string])[] = [
  [
    'a name with a ".." component',
    '[submodule "../../modules/evil"]\n\tpath = x\n\turl = https://h/r.git\n',
    'gitmodulesName',
  ],
  [
    'a name with a backslash ".."',
    '[submodule "a\\\\..\\\\b"]\n\tpath = x\n\turl = https://h/r.git\n',
    'gitmodulesName',
  ],
  [
    'a url starting with "-"',
    '[submodule "x"]\n\tpath = x\n\turl = --upload-pack=touch${IFS}pwned\n',
    'gitmodulesUrl',
  ],
  [
    'a quoted path starting with "-"',
    '[submodule "x"]\n\tpath = "-x"\n\turl = https://h/r.git\n',
    'gitmodulesPath',
  ],
  [
    'update = !command',
    '[submodule "x"]\n\tpath = x\n\turl = https://h/r.git\n\tupdate = !sh -c pwned\n',
    'gitmodulesUpdate',
  ],
];

describe('.gitmodules content a push writes', () => {
  it.each(BAD)('refuses %s, as git fsck does', (_what, text, fsckId) => {
    expect(fsckOf(text)).toContain(fsckId);
    expect(codeOf(() => put(text))).toBe('GITMODULES_INVALID');
    expect(codeOf(() => put(text, 'vendor/.gitmodules'))).toBe('GITMODULES_INVALID');
  });

  it('checks the names git reads as .gitmodules on Windows and macOS too', () => {
    const text = BAD[0]![1];
    expect(codeOf(() => put(text, 'GITMOD~1'))).toBe('GITMODULES_INVALID');
    expect(codeOf(() => put(text, '.GitModules'))).toBe('GITMODULES_INVALID');
  });

  it('accepts what git accepts: ordinary submodules, comments, values that only contain "-"', () => {
    const text = [
      '# deploy tooling',
      '[submodule "charts/base"]',
      '\tpath = charts/base',
      '\turl = ../base-charts.git ; a relative url',
      '[submodule "a..b"]',
      '\tpath = lib/a-b',
      '\turl = "https://h/x-y.git"',
      '\tupdate = rebase',
      '',
    ].join('\n');
    expect(fsckOf(text)).not.toMatch(/gitmodules(Name|Url|Path|Update)/u);
    expect(codeOf(() => put(text))).toBeUndefined();
    // Not a .gitmodules: the same bytes elsewhere are only a file.
    expect(codeOf(() => put(BAD[2]![1], 'docs/gitmodules.example'))).toBeUndefined();
  });
});
