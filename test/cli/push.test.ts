import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_SETTINGS } from '../../common/models/installation.js';
import { openSettings } from '../../core/settings/settings-file.js';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliInProcess } from '../helpers/cli-harness.js';

let sim: RunningSimulator;
let dir: string;
let home: string;
let env: Record<string, string | undefined>;
let repo: string;

beforeAll(async () => {
  sim = await startSimulator({ platform: false });
  dir = await mkdtemp(path.join(tmpdir(), 'push-cli-'));
  home = path.join(dir, 'home');
  const credentials = path.join(dir, 'credentials');
  await mkdir(credentials, { recursive: true });
  await writeFile(path.join(credentials, 'lab.pat'), `${sim.pat}\n`, { mode: 0o600 });
  openSettings(home).saveInstallation({
    id: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
    name: 'lab',
    baseUrl: sim.url,
    caPems: [sim.caPem],
    allowLoopback: true,
    platform: undefined,
    auth: { kind: 'pat', user: sim.user.name, verifiedAt: new Date().toISOString() },
    relay: DEFAULT_RELAY_SETTINGS,
    createdAt: new Date().toISOString(),
  });
  env = {
    PATH: process.env['PATH'],
    BDC_COMPANION_SECRET_STORE: 'credentials-dir',
    CREDENTIALS_DIRECTORY: credentials,
    BDC_COMPANION_CACHE_DIR: path.join(dir, 'cache'),
  };
  repo = `${sim.project}/${sim.repo}`;
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const serverGit = (args: string[]): string =>
  execFileSync('git', ['--git-dir', sim.repositoryPath(sim.project, sim.repo), ...args], {
    encoding: 'utf8',
  });

describe('push and history commands', () => {
  it('pushes files from disk and stdin in one commit, then reports a no-op, and records both', async () => {
    const local = path.join(dir, 'values.yaml');
    await writeFile(local, 'replicas: 3\n');
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
    const args = [
      'push',
      'lab',
      '--repo',
      repo,
      '--branch',
      'main',
      '--message',
      'Deploy web',
      '--author',
      'Ada Lovelace <ada@example.com>',
      '--put',
      `apps/web/values.yaml=${local}`,
      '--put',
      'apps/web/logo.bin=-',
      '--home',
      home,
      '--json',
    ];
    const first = await runCliInProcess(args, { env, stdin: binary.toString('latin1') });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ ok: true, engine: 'isomorphic-git', attempts: 1, changed: 2 });
    expect(serverGit(['rev-parse', 'refs/heads/main']).trim()).toBe(result['commit']);
    expect(
      serverGit(['show', '-s', '--format=%an <%ae>|%s', String(result['commit'])]).trim(),
    ).toBe('Ada Lovelace <ada@example.com>|Deploy web');
    expect(serverGit(['show', `${String(result['commit'])}:apps/web/values.yaml`])).toBe(
      'replicas: 3\n',
    );

    const again = await runCliInProcess(args, { env, stdin: binary.toString('latin1') });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      ok: true,
      noop: true,
      parent: result['commit'],
    });

    const history = await runCliInProcess(
      ['history', '--installation', 'lab', '--home', home, '--json'],
      { env },
    );
    expect(history.code).toBe(0);
    const entries = (JSON.parse(history.stdout) as { entries: Record<string, unknown>[] }).entries;
    expect(entries.map((entry) => entry['result'])).toEqual(['noop', 'committed']);
    expect(entries[1]).toMatchObject({
      repo,
      branch: 'main',
      user: sim.user.name,
      commit: result['commit'],
      engine: 'isomorphic-git',
      paths: [
        { path: 'apps/web/logo.bin', kind: 'add' },
        { path: 'apps/web/values.yaml', kind: expect.stringMatching(/add|modify/) },
      ],
    });
    expect(JSON.stringify(entries)).not.toContain(sim.pat);
  });

  it('deletes with the git engine and lands exactly the requested change', async () => {
    const before = serverGit(['rev-parse', 'refs/heads/main']).trim();
    const run = await runCliInProcess(
      [
        'push',
        'lab',
        '--repo',
        repo,
        '--branch',
        'main',
        '--message',
        'Remove logo',
        '--delete',
        'apps/web/logo.bin',
        '--engine',
        'git',
        '--home',
        home,
        '--json',
      ],
      { env },
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ ok: true, engine: 'git', parent: before, changed: 1 });
    expect(
      serverGit([
        'diff-tree',
        '--no-commit-id',
        '--name-status',
        '-r',
        String(result['commit']),
      ]).trim(),
    ).toBe('D\tapps/web/logo.bin');
    // No --author: the signed-in user as BDC knows them is author and committer.
    const me = `${sim.user.displayName} <${sim.user.emailAddress}>`;
    expect(
      serverGit(['show', '-s', '--format=%an <%ae>|%cn <%ce>', String(result['commit'])]).trim(),
    ).toBe(`${me}|${me}`);
  });

  it('refuses bad input with stable codes and exit codes', async () => {
    const missing = await runCliInProcess(
      [
        'push',
        'lab',
        '--branch',
        'main',
        '--message',
        'x',
        '--delete',
        'a',
        '--home',
        home,
        '--json',
      ],
      { env },
    );
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      ok: false,
      error: { code: 'USAGE_INVALID' },
    });

    const traversal = await runCliInProcess(
      [
        'push',
        'lab',
        '--repo',
        repo,
        '--branch',
        'main',
        '--message',
        'x',
        '--delete',
        '../etc/passwd',
        '--home',
        home,
        '--json',
      ],
      { env },
    );
    expect(traversal.code).toBe(1);
    expect(JSON.parse(traversal.stdout)).toMatchObject({
      ok: false,
      error: { code: 'PATH_INVALID' },
    });

    const limit = await runCliInProcess(['history', '--limit', 'lots', '--home', home, '--json'], {
      env,
    });
    expect(limit.code).toBe(2);
    const history = await runCliInProcess(['history', '--limit', '1', '--home', home, '--json'], {
      env,
    });
    const entries = (JSON.parse(history.stdout) as { entries: Record<string, unknown>[] }).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ result: 'failed', error: { code: 'PATH_INVALID' } });
  });
});
