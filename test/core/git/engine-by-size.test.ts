import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bdcClientForInstallation } from '../../../core/bdc/bdc-client.js';
import { CloneCache } from '../../../core/git/clone-cache.js';
import { push } from '../../../core/git/push-operation.js';
import { remoteRepositorySize } from '../../../core/git/remote-repository-size.js';
import { startPushFixture, text, type PushFixture } from './push-fixture.js';

// The engine is chosen before the first clone from the size BDC reports
// (`/projects/{KEY}/repos/{slug}/sizes`, docs/push-engine-choice.md); without it, as before.
let fixture: PushFixture;
const MiB = 1024 * 1024;

beforeAll(async () => {
  fixture = await startPushFixture();
  await fixture.sim.addRepository(fixture.sim.project, 'big', { files: 50, bytes: 3 * MiB });
});
afterAll(async () => fixture?.close());

function firstPush(
  cacheName: string,
  remoteSizeBytes: (repo: string) => Promise<number | undefined>,
) {
  return push(
    fixture.installation,
    {
      repo: `${fixture.sim.project}/big`,
      branch: 'main',
      message: `first push (${cacheName})`,
      changes: [{ path: `size/${cacheName}.txt`, content: text(`${cacheName}\n`) }],
      engine: 'auto',
    },
    fixture.deps({
      cache: new CloneCache({ root: path.join(fixture.dir, cacheName) }),
      config: { fallbackThresholdMb: 1, coldCloneWithGit: true },
      remoteSizeBytes,
    }),
  );
}

describe('choosing the engine before the first clone', () => {
  it('clones and pushes a never-cloned repository above the threshold with the git CLI engine', async () => {
    const asked: string[] = [];
    const result = await firstPush('cache-large', async (repo) => {
      asked.push(repo);
      return 200 * MiB;
    });
    expect(asked).toEqual([`${fixture.sim.project}/big`]);
    expect(result).toMatchObject({ kind: 'committed', engine: 'git' });
  });

  it('keeps isomorphic-git below the threshold and when the size is unknown', async () => {
    expect(await firstPush('cache-small', async () => 100 * 1024)).toMatchObject({
      engine: 'isomorphic-git',
    });
    expect(await firstPush('cache-unknown', async () => undefined)).toMatchObject({
      engine: 'isomorphic-git',
    });
  });

  it('reads no size for a token on BDC: the resource is outside /rest, where tokens are refused', async () => {
    // The simulator answers a Bearer token outside /rest and /scm with a redirect to the login
    // page, as BDC does (docs/bdc-rest-reference.md); the push then chooses as before.
    const bdc = bdcClientForInstallation(fixture.installation, fixture.authorization(), {
      env: {},
    });
    try {
      expect(await remoteRepositorySize(bdc, `${fixture.sim.project}/big`)).toBeUndefined();
      const result = await firstPush('cache-pat', (repo) => remoteRepositorySize(bdc, repo));
      expect(result.engine).toBe('isomorphic-git');
    } finally {
      await bdc.close();
    }
  });
});
