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
