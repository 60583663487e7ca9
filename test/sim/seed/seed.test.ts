import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedError, validateSeed } from '../../../sim/seed.js';
import {
  git,
  gitEnv,
  simRequest,
  startTestSimulator,
  tempDir,
  type RunningSimulator,
} from '../../helpers/sim.js';

let work: { path: string; remove(): Promise<void> };
let sim: RunningSimulator;
const fixedToken = 'BBDC-c2VlZGVkOnRva2VuL3dpdGgrc2xhc2hlcy1hbmQtcGx1cw==';

beforeAll(async () => {
  work = await tempDir();
  const seedFile = join(work.path, 'seed.yaml');
  await writeFile(
    seedFile,
    [
      'users:',
      '  - name: alice',
      '    displayName: Alice Example',
      'projects:',
      '  - key: OPS',
      '    name: Operations',
      'repositories:',
      '  - project: OPS',
      '    slug: infra',
      '    files: 120',
      '    bytes: 240000',
      '    pullRequestOnly: [release]',
      '  - project: OPS',
      '    slug: empty',
      'tokens:',
      '  - user: alice',
      `    token: "${fixedToken}"`,
      '    projectPermission: PROJECT_READ',
      '    repoPermission: REPO_WRITE',
      '',
    ].join('\n'),
  );
  sim = await startTestSimulator({ platform: false, keyType: 'ec', seed: seedFile });
});
afterAll(async () => {
  await sim.close();
  await work.remove();
});

describe('seed data', () => {
  it('creates users, projects, repositories and tokens from a YAML seed file', async () => {
    const repos = (
      await simRequest(sim, '/rest/api/1.0/projects/OPS/repos', { bearer: fixedToken })
    ).json<{ values: { slug: string }[] }>();
    expect(repos.values.map((repo) => repo.slug)).toEqual(['empty', 'infra']);
    const me = await simRequest(sim, '/rest/api/1.0/users/alice', { bearer: fixedToken });
    expect(me.headers['x-ausername']).toBe('alice');
    expect(me.json()['displayName']).toBe('Alice Example');
  });

  it('generates repository content of the requested size, text-like, in one commit', async () => {
    const path = sim.repositoryPath('OPS', 'infra');
    const env = gitEnv(sim);
    const tree = await git(['ls-tree', '-r', '-l', 'refs/heads/main'], { cwd: path, env });
    const lines = tree.stdout.trim().split('\n');
    expect(lines).toHaveLength(120);
    const total = lines.reduce((sum, line) => sum + Number(line.split(/\s+/)[3]), 0);
    expect(total).toBeGreaterThan(240000 * 0.95);
    expect(total).toBeLessThanOrEqual(240000);
    const sample = await git(['show', `refs/heads/main:${lines[0]!.split('\t')[1]}`], {
      cwd: path,
      env,
    });
    expect(sample.stdout).toMatch(/^# apps\/app-\d{4}\/manifest-\d{6}\.yaml\n/);
    expect(sample.stdout).toMatch(/^ *\w+: [\w-]+\d+$/m);
    expect(
      (await git(['rev-list', '--count', 'refs/heads/main'], { cwd: path, env })).stdout.trim(),
    ).toBe('1');
    expect((await git(['fsck', '--strict'], { cwd: path, env })).code).toBe(0);
  });

  it('applies pullRequestOnly from the seed', async () => {
    const dir = join(work.path, 'infra');
    const env = gitEnv(sim, fixedToken);
    expect(
      (await git(['clone', '--quiet', `${sim.url}/scm/ops/infra.git`, dir], { env })).code,
    ).toBe(0);
    const push = await git(['push', 'origin', 'main:release'], { cwd: dir, env });
    expect(push.stderr).toContain(
      'Branch refs/heads/release can only be modified through pull requests.',
    );
    expect((await git(['push', 'origin', 'main:feature'], { cwd: dir, env })).code).toBe(0);
  });

  it('returns tokens the seed asked for without a value', async () => {
    const result = await sim.seed({ tokens: [{ user: 'bob', repoPermission: 'REPO_READ' }] });
    expect(result.tokens).toHaveLength(1);
    expect(result.tokens[0]!.token).toMatch(/^BBDC-/);
    const response = await simRequest(sim, '/rest/api/1.0/users?limit=1', {
      bearer: result.tokens[0]!.token,
    });
    expect(response.headers['x-ausername']).toBe('bob');
  });

  it('rejects a malformed seed naming the field', () => {
    expect(() => validateSeed({ tokens: [{ user: 'x', repoPermission: 'REPO_ALL' }] })).toThrow(
      /tokens\[0\]\.repoPermission/,
    );
    expect(() => validateSeed({ repositories: [{ project: 'A' }] })).toThrow(SeedError);
    expect(() => validateSeed({ widgets: [] })).toThrow(/widgets: is not a known section/);
    expect(() => validateSeed([])).toThrow(SeedError);
  });
});
