import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main.js';
import { binPath, runCliInProcess } from '../../helpers/cli-harness.js';
import { simRequest, tempDir } from '../../helpers/sim.js';

const READY_KEYS = [
  'url',
  'caFile',
  'user',
  'pat',
  'project',
  'repo',
  'oauthClientId',
  'oauthClientSecret',
  'platformUrl',
  'platformCaFile',
  'platformInstallationId',
  'webhookSecret',
];

let work: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  work = await tempDir();
});
afterAll(() => work.remove());

/** Runs `sim` in-process until the ready line, then asks it to stop like SIGTERM would. */
async function runUntilReady(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  let onLine: (line: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (onLine = resolve));
  const exit = runCli(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text;
        if (stdout.includes('\n')) onLine(stdout.split('\n')[0]!);
      },
    },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from(['']),
    env: {},
    stopSignal: controller.signal,
  });
  const first = await Promise.race([ready, exit.then((code) => `exited ${code}: ${stderr}`)]);
  return { first, stop: () => controller.abort(), exit };
}

describe('bdc-companion sim', () => {
  it('prints the CLI.md ready line, serves, and exits 0 after a clean shutdown', async () => {
    const { first, stop, exit } = await runUntilReady(['sim', '--json', '--version', '10.1.0']);
    const line = JSON.parse(first) as Record<string, string>;
    expect(line['ok']).toBe(true);
    for (const key of READY_KEYS) expect(line[key], key).toBeTruthy();
    expect(line['pat']).toMatch(/^BBDC-/);
    const sim = { url: line['url']!, caPem: await readFile(line['caFile']!, 'utf8') };
    const props = await simRequest(sim, '/rest/api/1.0/application-properties', {
      bearer: line['pat'],
    });
    expect(props.json()['version']).toBe('10.1.0');
    expect(props.headers['x-ausername']).toBe(line['user']);
    const platformCa = await readFile(line['platformCaFile']!, 'utf8');
    expect(platformCa).not.toBe(sim.caPem);
    stop();
    expect(await exit).toBe(0);
    expect(existsSync(line['caFile']!)).toBe(false); // its temp folder is gone
  });

  it('serves under a context path with EC keys, keeping repositories in --data-dir', async () => {
    const dataDir = join(work.path, 'data');
    const { first, stop, exit } = await runUntilReady([
      'sim',
      '--json',
      '--context-path',
      '/bitbucket',
      '--key-type',
      'ec',
      '--data-dir',
      dataDir,
    ]);
    const line = JSON.parse(first) as Record<string, string>;
    expect(line['url']).toMatch(/\/bitbucket$/);
    expect(line['caFile']).toBe(join(dataDir, 'bdc-root-ca.pem'));
    const sim = { url: line['url']!, caPem: await readFile(line['caFile']!, 'utf8') };
    expect((await simRequest(sim, '/status')).status).toBe(200);
    stop();
    expect(await exit).toBe(0);
    expect(existsSync(join(dataDir, 'repos', 'demo', 'gitops.git', 'HEAD'))).toBe(true);
  });

  it('loads a seed file', async () => {
    const seed = join(work.path, 'seed.json');
    await writeFile(seed, JSON.stringify({ projects: [{ key: 'SEEDED' }] }));
    const { first, stop, exit } = await runUntilReady(['sim', '--json', '--seed', seed]);
    const line = JSON.parse(first) as Record<string, string>;
    const sim = { url: line['url']!, caPem: await readFile(line['caFile']!, 'utf8') };
    const projects = (
      await simRequest(sim, '/rest/api/1.0/projects', { bearer: line['pat'] })
    ).json<{ values: { key: string }[] }>();
    expect(projects.values.map((project) => project.key)).toContain('SEEDED');
    stop();
    expect(await exit).toBe(0);
  });

  it('rejects bad flags and seeds with catalogued codes', async () => {
    const port = await runCliInProcess(['sim', '--json', '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(JSON.parse(port.stdout).error.code).toBe('USAGE_INVALID');
    const version = await runCliInProcess(['sim', '--json', '--version=nine']);
    expect(version.code).toBe(2);
    const keyType = await runCliInProcess(['sim', '--json', '--key-type', 'dsa']);
    expect(keyType.code).toBe(2);
    const context = await runCliInProcess(['sim', '--json', '--context-path', 'bitbucket']);
    expect(context.code).toBe(2);
    const missing = await runCliInProcess([
      'sim',
      '--json',
      '--seed',
      join(work.path, 'nope.json'),
    ]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('FILE_READ_FAILED');
    const badSeed = join(work.path, 'bad.json');
    await writeFile(badSeed, JSON.stringify({ tokens: [{ user: 'x', repoPermission: 'ALL' }] }));
    const bad = await runCliInProcess(['sim', '--json', '--seed', badSeed]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'INPUT_INVALID' });
    expect(JSON.parse(bad.stdout).error.message).toContain('tokens[0].repoPermission');
  });

  it.skipIf(!existsSync(join(binPath, '../../dist/sim/index.js')))(
    'runs from the built bundle as a process and exits 0 on SIGTERM',
    async () => {
      const child = spawn(process.execPath, [binPath, 'sim', '--json'], {
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const ready = JSON.parse(line) as Record<string, string>;
      for (const key of READY_KEYS) expect(ready[key], key).toBeTruthy();
      const code = await new Promise<number | null>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', (exitCode) => resolve(exitCode));
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
    },
  );
});
