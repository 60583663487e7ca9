import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloneCache } from '../../../core/git/clone-cache.js';
import { push } from '../../../core/git/push-operation.js';
import { startPushFixture, text, type PushFixture } from './push-fixture.js';

let fixture: PushFixture;
let bin: string;
let log: string;
beforeAll(async () => {
  fixture = await startPushFixture();
  // A `git` first on the engine's PATH that notes its arguments, then runs the real git.
  bin = mkdtempSync(path.join(tmpdir(), 'git-log-'));
  log = path.join(bin, 'argv.log');
  const realGit = '/usr/bin/git';
  writeFileSync(
    path.join(bin, 'git'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec ${realGit} "$@"\n`,
  );
  chmodSync(path.join(bin, 'git'), 0o755);
});
afterAll(async () => {
  await fixture?.close();
  rmSync(bin, { recursive: true, force: true });
});

/** The git subcommands the engine started since the last call. */
function started(): string[] {
  let lines: string[] = [];
  try {
    lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  } catch {
    // Nothing started yet.
  }
  rmSync(log, { force: true });
  return lines.map((line) => {
    const words = line.split(' ');
    return words[0] === '--git-dir' ? (words[2] ?? '') : (words[0] ?? '');
  });
}

describe('the git CLI engine', () => {
  it('starts no git network process once warm: a moved branch comes in one upload-pack request, stored as git fetch would', async () => {
    const request = (round: string) => ({
      repo: `${fixture.sim.project}/${fixture.sim.repo}`,
      branch: 'main',
      message: `processes ${round}`,
      engine: 'git' as const,
      changes: [{ path: `processes/${round}.txt`, content: text(`${round}\n`) }],
    });
    const cacheRoot = path.join(bin, 'cache');
    const deps = fixture.deps({
      env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` },
      cache: new CloneCache({ root: cacheRoot }),
    });

    expect((await push(fixture.installation, request('cold'), deps)).kind).toBe('committed');
    expect(started()).toContain('fetch');

    // Warm: the cache holds the tip the server advertises; the commit goes to receive-pack from
    // the companion itself, so git only reads the cache.
    expect((await push(fixture.installation, request('warm'), deps)).kind).toBe('committed');
    expect(started()).toEqual(['cat-file']);

    // Moved: another writer landed commits; the tip discovery named is fetched by the companion
    // (one POST on its connection) and stored as git fetch stores it — small packs loose
    // (unpack-objects), from 100 objects on as a pack with its index (index-pack).
    const landOther = (files: number): string => {
      const tip = fixture.serverGit(['rev-parse', 'refs/heads/main']).trim();
      let tree = `${tip}^{tree}`;
      if (files > 0) {
        const work = mkdtempSync(path.join(tmpdir(), 'other-'));
        const git = (args: string[], input?: string): string =>
          execFileSync('git', args, {
            encoding: 'utf8',
            env: {
              ...process.env,
              GIT_DIR: fixture.sim.repositoryPath(fixture.sim.project, fixture.sim.repo),
              GIT_INDEX_FILE: path.join(work, 'index'),
            },
            ...(input === undefined ? {} : { input }),
          });
        git(['read-tree', tip]);
        const entries = Array.from({ length: files }, (_, index) => {
          const blob = git(['hash-object', '-w', '--stdin'], `other ${tip} ${index}\n`).trim();
          return `100644 ${blob}\tother/${tip.slice(0, 8)}-${index}.txt\n`;
        });
        git(['update-index', '--index-info'], entries.join(''));
        tree = git(['write-tree']).trim();
        rmSync(work, { recursive: true, force: true });
      }
      const other = fixture
        .serverGit(['commit-tree', tree, '-p', tip, '-m', 'other writer'])
        .trim();
      fixture.serverGit(['update-ref', 'refs/heads/main', other, tip]);
      return other;
    };
    let other = landOther(0);
    expect(await push(fixture.installation, request('moved'), deps)).toMatchObject({
      kind: 'committed',
      parent: other,
    });
    expect(started().sort()).toEqual(['cat-file', 'unpack-objects']);

    other = landOther(150);
    landOther(0);
    const twoAhead = fixture.serverGit(['rev-parse', 'refs/heads/main']).trim();
    expect(await push(fixture.installation, request('moved-150'), deps)).toMatchObject({
      kind: 'committed',
      parent: twoAhead,
    });
    expect(started().sort()).toEqual(['cat-file', 'index-pack']);

    // The cache is a consistent shallow repository (its boundary recorded, nothing missing) and
    // the server's history is intact.
    const gitdirs: string[] = [];
    const walk = (directory: string): void => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const full = path.join(directory, entry.name);
        if (entry.name === 'repo.git') gitdirs.push(full);
        else walk(full);
      }
    };
    walk(cacheRoot);
    expect(gitdirs).toHaveLength(1);
    execFileSync('git', ['--git-dir', gitdirs[0] as string, 'fsck', '--no-dangling'], {
      stdio: 'pipe',
    });
    expect(readFileSync(path.join(gitdirs[0] as string, 'shallow'), 'utf8')).toContain(twoAhead);
    expect(started()).toEqual([]);
    expect(
      fixture.serverGit(['ls-tree', '--name-only', 'refs/heads/main', 'other/']).split('\n'),
    ).toHaveLength(151);
    fixture.serverGit(['fsck', '--strict', '--no-dangling']);
  });
});
