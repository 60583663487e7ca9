import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloneCache } from '../../../core/git/clone-cache.js';
import { push } from '../../../core/git/push-operation.js';
import { startPushFixture, text, type PushFixture } from './push-fixture.js';

let fixture: PushFixture;
beforeAll(async () => {
  fixture = await startPushFixture();
  await fixture.sim.addRepository(fixture.sim.project, 'crash', { files: 300, bytes: 3_000_000 });
});
afterAll(async () => {
  await fixture?.close();
});

const child = fileURLToPath(new URL('./fixtures/push-child.ts', import.meta.url));

describe('a companion killed mid-push', () => {
  it.each(['isomorphic-git', 'git'] as const)(
    'leaves the %s cache usable by the next push',
    async (engine) => {
      const cacheRoot = path.join(fixture.dir, `crash-${engine}`);
      const repo = `${fixture.sim.project}/crash`;
      // Every response is slow, so the kill lands while the clone is in flight.
      fixture.sim.faults.latency(400);
      const process_ = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          child,
          JSON.stringify({
            installation: fixture.installation,
            cacheRoot,
            token: fixture.sim.pat,
            user: fixture.sim.user.name,
            request: {
              repo,
              branch: 'main',
              message: 'child',
              engine,
              changes: [{ path: 'child.txt' }],
            },
          }),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      await new Promise<void>((resolve, reject) => {
        process_.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('"phase":"fetch"')) resolve();
        });
        process_.on('exit', () => reject(new Error(`child exited early: ${output}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      process_.kill('SIGKILL');
      await new Promise((resolve) => process_.once('exit', resolve));
      fixture.sim.faults.latency(0);
      expect(output).not.toContain('done');
      // The dead process's lock and its half-built entry are both still on disk.
      expect(await readdir(path.join(cacheRoot, 'locks'))).toHaveLength(1);

      const cache = new CloneCache({ root: cacheRoot });
      const result = await push(
        fixture.installation,
        {
          repo,
          branch: 'main',
          message: `after crash ${engine}`,
          engine,
          changes: [{ path: `after-${engine}.txt`, content: text('ok\n') }],
        },
        fixture.deps({ cache }),
      );
      expect(result.kind).toBe('committed');
      fixture.serverGit(['fsck', '--strict', '--no-dangling'], fixture.sim.project, 'crash');
      // And the entry is warm and healthy for the one after.
      const lease = await cache.lease(fixture.installation.id, repo, engine);
      expect(lease.cold).toBe(false);
      await lease.release();
    },
  );
});
