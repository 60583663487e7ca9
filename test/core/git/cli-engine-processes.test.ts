import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  it('runs no git network process on a warm push, and only `git fetch` when the branch moved', async () => {
    const request = (round: string) => ({
      repo: `${fixture.sim.project}/${fixture.sim.repo}`,
      branch: 'main',
      message: `processes ${round}`,
      engine: 'git' as const,
      changes: [{ path: `processes/${round}.txt`, content: text(`${round}\n`) }],
    });
    const deps = fixture.deps({ env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` } });

    expect((await push(fixture.installation, request('cold'), deps)).kind).toBe('committed');
    expect(started()).toContain('fetch');

    // Warm: the cache holds the tip the server advertises; the commit goes to receive-pack from
    // the companion itself, so git only reads the cache.
    expect((await push(fixture.installation, request('warm'), deps)).kind).toBe('committed');
    expect(started()).toEqual(['cat-file']);

    // Moved: another writer landed a commit; one `git fetch` brings it, nothing else is started.
    const tip = fixture.serverGit(['rev-parse', 'refs/heads/main']).trim();
    const other = fixture
      .serverGit(['commit-tree', `${tip}^{tree}`, '-p', tip, '-m', 'other writer'])
      .trim();
    fixture.serverGit(['update-ref', 'refs/heads/main', other, tip]);
    const moved = await push(fixture.installation, request('moved'), deps);
    expect(moved).toMatchObject({ kind: 'committed', parent: other });
    expect(started().sort()).toEqual(['cat-file', 'fetch']);
    fixture.serverGit(['fsck', '--strict', '--no-dangling']);
  });
});
