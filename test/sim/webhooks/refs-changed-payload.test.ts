import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  git,
  gitEnv,
  simRequest,
  startTestSimulator,
  tempDir,
  type RunningSimulator,
} from '../../helpers/sim.js';

/**
 * Acceptance (issue 12): a `git push` to the simulator delivers `repo:refs_changed` with
 * `toCommit` and `commits[]` matching `git log` for the pushed range — updates, branch creation
 * (new and existing commits), annotated tags and deletions.
 */
interface Person {
  readonly name: string;
  readonly emailAddress: string;
}
interface PayloadCommit {
  readonly id: string;
  readonly displayId: string;
  readonly message: string;
  readonly author: Person;
  readonly authorTimestamp: number;
  readonly committer: Person;
  readonly committerTimestamp: number;
  readonly parents: readonly Record<string, unknown>[];
}
interface Payload {
  readonly eventKey: string;
  readonly changes: readonly {
    ref: { id: string; displayId: string; type: string };
    fromHash: string;
    toHash: string;
    type: string;
  }[];
  readonly commits: readonly PayloadCommit[];
  readonly toCommit?: PayloadCommit;
}

let sim: RunningSimulator;
let server: Server;
let work: { path: string; remove(): Promise<void> };
let clone: string;
let env: NodeJS.ProcessEnv;
const ZERO = '0'.repeat(40);

async function sh(...args: string[]): Promise<string> {
  const result = await git(args, { cwd: clone, env });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

async function commit(message: string): Promise<string> {
  await sh('commit', '--quiet', '--allow-empty', '-m', message);
  return sh('rev-parse', 'HEAD');
}

/** Pushes and returns the payload of the one delivery the push caused. */
async function pushAndReceive(...refspecs: string[]): Promise<Payload> {
  const before = sim.webhooks.invocations().length;
  await sh('push', '--quiet', 'origin', ...refspecs);
  await sim.webhooks.idle();
  const made = sim.webhooks.invocations().slice(before);
  expect(made).toHaveLength(1);
  return JSON.parse(made[0]!.body) as Payload;
}

/** `git log` of a range as BDC's commit objects, newest first, at most five. */
async function logOf(...range: string[]): Promise<Record<string, unknown>[]> {
  const out = await sh(
    'log',
    '--max-count=5',
    '--format=%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f%B%x1e',
    ...range,
  );
  return out
    .split('\x1e')
    .map((record) => record.replace(/^\n/, ''))
    .filter(Boolean)
    .map((record) => {
      const [id = '', parents = '', an, ae, at, cn, ce, ct, message = ''] = record.split('\x1f');
      return {
        id,
        displayId: id.slice(0, 11),
        author: { name: an, emailAddress: ae },
        authorTimestamp: Number(at) * 1000,
        committer: { name: cn, emailAddress: ce },
        committerTimestamp: Number(ct) * 1000,
        message: message.trim(),
        parents: parents
          .split(' ')
          .filter(Boolean)
          .map((parent) => ({ id: parent, displayId: parent.slice(0, 11) })),
      };
    });
}

beforeAll(async () => {
  sim = await startTestSimulator({ platform: false });
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const created = await simRequest(sim, `/rest/api/1.0/projects/DEMO/repos/gitops/webhooks`, {
    method: 'POST',
    bearer: sim.pat,
    body: { name: 'r', url: `http://127.0.0.1:${port}/`, events: ['repo:refs_changed'] },
  });
  expect(created.status).toBe(200);
  work = await tempDir();
  clone = join(work.path, 'clone');
  env = gitEnv(sim, sim.pat);
  const cloned = await git(['clone', '--quiet', `${sim.url}/scm/demo/gitops.git`, clone], { env });
  expect(cloned.code, cloned.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await sim?.close();
  await new Promise((resolve) => server?.close(resolve));
  await work?.remove();
});

describe('repo:refs_changed from a real push', () => {
  it('an update carries the five newest pushed commits and toCommit with full parents', async () => {
    const before = await sh('rev-parse', 'HEAD');
    for (let index = 1; index <= 7; index += 1) await commit(`change ${index}\n\nbody ${index}`);
    const after = await sh('rev-parse', 'HEAD');
    const payload = await pushAndReceive('HEAD:main');
    expect(payload.changes).toEqual([
      {
        ref: { id: 'refs/heads/main', displayId: 'main', type: 'BRANCH' },
        refId: 'refs/heads/main',
        fromHash: before,
        toHash: after,
        type: 'UPDATE',
      },
    ]);
    expect(payload.commits).toEqual(await logOf(`${before}..${after}`));
    const [tip] = await logOf('-1', after);
    const [parent] = await logOf('-1', `${after}~1`);
    expect(payload.toCommit).toEqual({ ...tip, parents: [parent] });
    expect(typeof payload.toCommit!.authorTimestamp).toBe('number');
  });

  it('a new branch lists only the commits no other branch has; one at an existing commit none', async () => {
    const base = await sh('rev-parse', 'HEAD');
    await sh('checkout', '--quiet', '-b', 'feature/new');
    await commit('feature one');
    const tip = await commit('feature two');
    const payload = await pushAndReceive('feature/new');
    expect(payload.changes[0]).toMatchObject({ fromHash: ZERO, toHash: tip, type: 'ADD' });
    expect(payload.commits).toEqual(await logOf(`${base}..${tip}`));
    expect(payload.toCommit?.id).toBe(tip);

    const existing = await pushAndReceive(`${base}:refs/heads/at-existing`);
    expect(existing.changes[0]).toMatchObject({ type: 'ADD', toHash: base });
    expect(existing.commits).toEqual([]);
    expect(existing.toCommit?.id).toBe(base);
  });

  it('an annotated tag is a TAG change whose toCommit is the tagged commit', async () => {
    const target = await sh('rev-parse', 'HEAD');
    await sh('tag', '-a', 'v2.0', '-m', 'Release 2.0');
    const tagObject = await sh('rev-parse', 'v2.0');
    const payload = await pushAndReceive('refs/tags/v2.0');
    expect(payload.changes[0]).toEqual({
      ref: { id: 'refs/tags/v2.0', displayId: 'v2.0', type: 'TAG' },
      refId: 'refs/tags/v2.0',
      fromHash: ZERO,
      toHash: tagObject,
      type: 'ADD',
    });
    expect(payload.toCommit?.id).toBe(target);
  });

  it('a deletion carries no toCommit and no commits', async () => {
    const tip = await sh('rev-parse', 'refs/remotes/origin/feature/new');
    const payload = await pushAndReceive(':refs/heads/feature/new');
    expect(payload.changes[0]).toMatchObject({ fromHash: tip, toHash: ZERO, type: 'DELETE' });
    expect(payload.commits).toEqual([]);
    expect(payload).not.toHaveProperty('toCommit');
  });
});
