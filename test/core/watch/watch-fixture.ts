import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { verifySignature } from '../../../core/relay/signature.js';
import type { PlatformDelivery, RunningSimulator } from '../../../sim/simulator-api.js';
import { git, gitEnv } from '../../helpers/sim.js';

/** A clone of a simulator repository driven with the real git CLI (token only in the environment). */
export interface WorkingCopy {
  readonly dir: string;
  run(...args: string[]): Promise<string>;
  /** Commits a change to `marker.txt` and returns the new commit id. */
  commit(marker: string): Promise<string>;
  /** `git log -n5 --format=%H` of a revision: the commits BDC lists, newest first. */
  log(revision: string, exclude?: string): Promise<string[]>;
}

export async function cloneRepository(
  sim: RunningSimulator,
  dir: string,
  project: string,
  slug: string,
): Promise<WorkingCopy> {
  const env = gitEnv(sim, sim.pat);
  const run = async (...args: string[]): Promise<string> => {
    const result = await git(args, { cwd: dir, env });
    if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  const cloned = await git(['clone', '--quiet', `${sim.url}/scm/${project}/${slug}.git`, dir], {
    env,
  });
  if (cloned.code !== 0) throw new Error(`clone failed: ${cloned.stderr}`);
  return {
    dir,
    run,
    async commit(marker) {
      writeFileSync(join(dir, 'marker.txt'), `${marker}\n`);
      await run('add', 'marker.txt');
      await run('commit', '--quiet', '-m', `marker ${marker}`);
      return run('rev-parse', 'HEAD');
    },
    async log(revision, exclude) {
      const range = exclude === undefined ? [revision] : [revision, `^${exclude}`];
      const out = await run('log', '-n5', '--format=%H', ...range);
      return out === '' ? [] : out.split('\n');
    },
  };
}

export interface RefsChangedPayload {
  readonly eventKey: string;
  readonly actor: { readonly name: string };
  readonly repository: { readonly slug: string; readonly project: { readonly key: string } };
  readonly changes: readonly {
    readonly ref: { readonly id: string; readonly displayId: string; readonly type: string };
    readonly refId: string;
    readonly fromHash: string;
    readonly toHash: string;
    readonly type: string;
  }[];
  readonly toCommit?: { readonly id: string; readonly parents: readonly { readonly id: string }[] };
  readonly commits?: readonly { readonly id: string }[];
}

/** Checks a delivery is a watch event signed with the installation's secret, and returns its payload. */
export function watchEvent(delivery: PlatformDelivery, secret: string): RefsChangedPayload {
  expect(delivery.signatureValid).toBe(true);
  expect(delivery.headers['x-event-key']).toBe('repo:refs_changed');
  expect(delivery.headers['x-ankra-event-source']).toBe('companion-watch');
  expect(delivery.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(verifySignature(delivery.headers['x-hub-signature'], delivery.body, [secret])).toBe(
    'valid',
  );
  return JSON.parse(delivery.body.toString('utf8')) as RefsChangedPayload;
}
