import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../common/api/models.js';
import { serviceError, startSurfaces, type Surfaces } from './surfaces-fixture.js';

// One use case, two surfaces: `bdc-companion push` and the test-push view's testPush land the same
// commit contents, record the same history row, and refuse the same bad input with the same code.
let surfaces: Surfaces;
let repo: string;
let valuesFile: string;

const serverGit = (args: string[]): string =>
  execFileSync(
    'git',
    ['--git-dir', surfaces.sim.repositoryPath(surfaces.sim.project, surfaces.sim.repo), ...args],
    { encoding: 'utf8' },
  ).trim();

/** A history row without what differs by nature between two homes, branches and moments. */
function comparableRow(entry: HistoryEntry | Record<string, unknown>): Record<string, unknown> {
  const {
    id: _id,
    at: _at,
    durationMs: _durationMs,
    installationId: _installationId,
    branch: _branch,
    commit: _commit,
    commitUrl: _commitUrl,
    attempts,
    ...rest
  } = entry as HistoryEntry;
  return {
    ...rest,
    attempts: attempts.map(({ startedAt: _startedAt, durationMs: _ms, ...attempt }) => attempt),
  };
}

async function lastRows(): Promise<[Record<string, unknown>, Record<string, unknown>]> {
  const { cli, service } = surfaces;
  const fromCli = await cli.run(['history', '--installation', 'lab', '--limit', '1']);
  const fromService = await service.api.invoke('queryHistory', [{ installation: 'lab', limit: 1 }]);
  return [
    comparableRow(fromCli.document['entries'][0]),
    comparableRow(fromService.entries[0] as HistoryEntry),
  ];
}

beforeAll(async () => {
  surfaces = await startSurfaces();
  const { sim, cli, service } = surfaces;
  repo = `${sim.project}/${sim.repo}`;
  const caFile = join(cli.home, '..', 'ca.pem');
  valuesFile = join(cli.home, '..', 'values.yaml');
  writeFileSync(caFile, sim.caPem);
  writeFileSync(valuesFile, 'replicas: 3\n');
  await cli.run([
    'installation',
    'add',
    'lab',
    '--url',
    sim.url,
    '--ca-file',
    caFile,
    '--allow-loopback',
  ]);
  await cli.run(['auth', 'pat', 'lab', '--token-stdin'], `${sim.pat}\n`);
  await service.api.invoke('addInstallation', [
    { name: 'lab', baseUrl: sim.url, caPems: [sim.caPem], allowLoopback: true },
  ]);
  await service.api.invoke('signInWithPat', [{ installation: 'lab', token: sim.pat }]);
  for (const branch of ['from-cli', 'from-service'])
    serverGit(['branch', branch, 'refs/heads/main']);
});
afterAll(async () => surfaces?.close());

describe('push: the CLI and the service API run the same use case', () => {
  it('lands the same contents and records the same history row from both', async () => {
    const { cli, service } = surfaces;
    const pushed = await cli.run([
      'push',
      'lab',
      '--repo',
      repo,
      '--branch',
      'from-cli',
      '--message',
      'Deploy web',
      '--author',
      'Ada Lovelace <ada@example.com>',
      '--put',
      `apps/web/values.yaml=${valuesFile}`,
    ]);
    expect(pushed.document).toMatchObject({ ok: true, changed: 1 });
    const outcome = await service.api.invoke('testPush', [
      {
        installation: 'lab',
        repo,
        branch: 'from-service',
        message: 'Deploy web',
        author: { name: 'Ada Lovelace', email: 'ada@example.com' },
        put: [{ path: 'apps/web/values.yaml', content: 'replicas: 3\n' }],
        delete: [],
      },
    ]);
    expect(outcome.kind).toBe('pushed');
    expect(serverGit(['rev-parse', 'from-cli^{tree}'])).toBe(
      serverGit(['rev-parse', 'from-service^{tree}']),
    );
    const [fromCli, fromService] = await lastRows();
    expect(fromCli).toEqual(fromService);
    expect(fromCli).toMatchObject({ result: 'committed', engine: 'isomorphic-git' });
  });

  it('refuses a bad branch name with the same code and records the same failed row', async () => {
    const { cli, service } = surfaces;
    const run = await cli.run([
      'push',
      'lab',
      '--repo',
      repo,
      '--branch',
      'bad..branch',
      '--message',
      'Nope',
      '--put',
      `x.yaml=${valuesFile}`,
    ]);
    const code = await serviceError(
      service.api.invoke('testPush', [
        {
          installation: 'lab',
          repo,
          branch: 'bad..branch',
          message: 'Nope',
          put: [{ path: 'x.yaml', content: 'replicas: 3\n' }],
          delete: [],
        },
      ]),
    );
    expect(run.document['error']?.code).toBe('PUSH_REQUEST_INVALID');
    expect(code).toBe('PUSH_REQUEST_INVALID');
    const [fromCli, fromService] = await lastRows();
    expect(fromCli).toEqual(fromService);
    expect(fromCli).toMatchObject({ result: 'failed', error: { code: 'PUSH_REQUEST_INVALID' } });
  });

  it('refuses an unknown installation with the same code on both', async () => {
    const { cli, service } = surfaces;
    const run = await cli.run([
      'push',
      'nowhere',
      '--repo',
      repo,
      '--branch',
      'main',
      '--message',
      'Nope',
      '--put',
      `x.yaml=${valuesFile}`,
    ]);
    const code = await serviceError(
      service.api.invoke('testPush', [
        {
          installation: 'nowhere',
          repo,
          branch: 'main',
          message: 'Nope',
          put: [{ path: 'x.yaml', content: 'x' }],
          delete: [],
        },
      ]),
    );
    expect(run.document['error']?.code).toBe('INSTALLATION_NOT_FOUND');
    expect(code).toBe('INSTALLATION_NOT_FOUND');
  });
});
