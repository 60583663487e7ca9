import { execFileSync } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { push } from '../../../core/git/push-operation.js';
import { startPushFixture, text, type PushFixture } from './push-fixture.js';

let fixture: PushFixture;
beforeAll(async () => {
  fixture = await startPushFixture();
});
afterAll(async () => {
  await fixture?.close();
});

describe.each(['isomorphic-git', 'git'] as const)('push with %s', (engine) => {
  it('lands a 50-file commit as one commit that git fsck --strict accepts', async () => {
    const before = fixture.serverGit(['rev-parse', 'refs/heads/main']).trim();
    const changes = Array.from({ length: 50 }, (_, index) => ({
      path: `apps/${engine}/app-${index % 7}/file-${index}.yaml`,
      content: text(`replicas: ${index}\n`),
    }));
    const result = await push(
      fixture.installation,
      {
        repo: `${fixture.sim.project}/${fixture.sim.repo}`,
        branch: 'main',
        message: `50 files via ${engine}`,
        changes,
        engine,
      },
      fixture.deps(),
    );
    expect(result.kind).toBe('committed');
    if (result.kind !== 'committed') return;
    expect(result.parent).toBe(before);
    expect(result.changed).toBe(50);
    expect(result.engine).toBe(engine);
    expect(fixture.serverGit(['rev-parse', 'refs/heads/main']).trim()).toBe(result.commit);
    expect(fixture.serverGit(['rev-list', '--count', `${before}..${result.commit}`]).trim()).toBe(
      '1',
    );
    expect(
      fixture
        .serverGit(['diff-tree', '--no-commit-id', '--name-only', '-r', result.commit])
        .trim()
        .split('\n'),
    ).toHaveLength(50);
    fixture.serverGit(['fsck', '--strict', '--no-dangling']);
  });
});

describe('warm isomorphic-git push after another writer', () => {
  it('fetches only what is new, not the whole tip tree again', async () => {
    const { sim } = fixture;
    await sim.addRepository(sim.project, 'incremental', { files: 400, bytes: 2 * 1024 * 1024 });
    const repo = `${sim.project}/incremental`;
    const server = (args: readonly string[]) =>
      fixture.serverGit(args, sim.project, 'incremental').trim();
    const pushOne = (index: number) =>
      push(
        fixture.installation,
        {
          repo,
          branch: 'main',
          message: `change ${index}`,
          changes: [{ path: `notes/${index}.txt`, content: text(`note ${index}\n`) }],
          engine: 'isomorphic-git',
        },
        fixture.deps(),
      );
    const packBytes = async () => {
      const files = await readdir(path.join(fixture.dir, 'cache'), { recursive: true });
      let total = 0;
      for (const file of files.filter((name) => name.endsWith('.pack')))
        total += (await stat(path.join(fixture.dir, 'cache', file))).size;
      return total;
    };
    expect((await pushOne(1)).kind).toBe('committed');
    const afterClone = await packBytes();
    expect(afterClone).toBeGreaterThan(200_000);
    // Another writer lands a commit: the cache no longer holds the tip.
    const tip = server(['rev-parse', 'refs/heads/main']);
    // An identity of its own: a fresh CI machine has none configured.
    const other = server([
      '-c',
      'user.name=Other Writer',
      '-c',
      'user.email=other@example.com',
      'commit-tree',
      `${tip}^{tree}`,
      '-p',
      tip,
      '-m',
      'other writer',
    ]);
    server(['update-ref', 'refs/heads/main', other, tip]);
    const second = await pushOne(2);
    expect(second.kind === 'committed' ? second.parent : undefined).toBe(other);
    // Offering the cached tip as a `have`, the fetch brings one commit, a few hundred bytes.
    expect((await packBytes()) - afterClone).toBeLessThan(afterClone / 20);
  });
});

describe('a known tip fetched into a cache whose boundary is above its tracking ref', () => {
  it('offers the boundary commits as haves, so only the new commit comes, not the tip tree', async () => {
    const { sim } = fixture;
    await sim.addRepository(sim.project, 'boundary', { files: 400, bytes: 2 * 1024 * 1024 });
    const repo = `${sim.project}/boundary`;
    const bare = sim.repositoryPath(sim.project, 'boundary');
    const server = (args: readonly string[]) =>
      fixture.serverGit(args, sim.project, 'boundary').trim();
    const land = (): string => {
      const tip = server(['rev-parse', 'refs/heads/main']);
      const other = server([
        '-c',
        'user.name=Other Writer',
        '-c',
        'user.email=other@example.com',
        'commit-tree',
        `${tip}^{tree}`,
        '-p',
        tip,
        '-m',
        'other writer',
      ]);
      server(['update-ref', 'refs/heads/main', other, tip]);
      return other;
    };
    const deps = fixture.deps();
    const pushOne = (index: number) =>
      push(
        fixture.installation,
        {
          repo,
          branch: 'main',
          message: `change ${index}`,
          changes: [{ path: `notes/${index}.txt`, content: text(`note ${index}\n`) }],
          engine: 'isomorphic-git',
        },
        deps,
      );
    expect((await pushOne(1)).kind).toBe('committed');
    const entry = (await deps.cache.list()).find((candidate) => candidate.meta?.repo === repo);
    const gitdir = path.join(entry?.directory ?? '', 'repo.git');
    const packBytes = async () => {
      let total = 0;
      for (const name of await readdir(path.join(gitdir, 'objects', 'pack')))
        if (name.endsWith('.pack'))
          total += (await stat(path.join(gitdir, 'objects', 'pack', name))).size;
      return total;
    };
    // A depth-1 fetch the tracking ref did not follow (as a cold clone that raced another push
    // leaves it): the cache's boundary now lists a commit above its tracking ref.
    land();
    execFileSync('git', [
      '--git-dir',
      gitdir,
      'fetch',
      '-q',
      '--depth=1',
      `file://${bare}`,
      'main',
    ]);
    const before = await packBytes();
    const other = land();
    const second = await pushOne(2);
    expect(second.kind === 'committed' ? second.parent : undefined).toBe(other);
    // A have below a boundary line is unreachable for the server, which would resend the whole
    // tip tree (about as large as the first clone); offered as haves, the boundary keeps it small.
    expect((await packBytes()) - before).toBeLessThan(20_000);
  });
});
