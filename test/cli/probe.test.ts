import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliInProcess } from '../helpers/cli-harness.js';

let sim: RunningSimulator;
let home: string;

beforeAll(async () => {
  sim = await startSimulator({ platform: false, contextPath: '/bitbucket' });
  home = await mkdtemp(path.join(tmpdir(), 'probe-cli-'));
});
afterAll(async () => {
  await sim.close();
  await rm(home, { recursive: true, force: true });
});

function json(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('bdc-companion probe', () => {
  it('succeeds with the CA file and prints the contract fields', async () => {
    const run = await runCliInProcess([
      'probe',
      sim.url,
      '--ca-file',
      sim.caFile,
      '--allow-loopback',
      '--json',
      '--home',
      home,
    ]);
    expect(run.code).toBe(0);
    const document = json(run.stdout);
    expect(document).toMatchObject({
      ok: true,
      version: '9.4.22',
      supported: true,
      addressClass: 'loopback',
      tls: { trusted: true },
    });
    const steps = document['steps'] as { name: string; ok: boolean; ms: number }[];
    expect(steps.map((step) => step.name)).toEqual([
      'url',
      'dns',
      'address',
      'tcp',
      'tls',
      'http',
      'version',
    ]);
    expect(steps.every((step) => step.ok && typeof step.ms === 'number')).toBe(true);
    const chain = (document['tls'] as { chain: Record<string, unknown>[] }).chain;
    expect(Object.keys(chain[0]!)).toEqual(
      expect.arrayContaining(['subject', 'issuer', 'sha256', 'notAfter', 'ca']),
    );
  });

  it('fails with TLS_UNTRUSTED, exit 1, and still reports the steps and chain', async () => {
    const run = await runCliInProcess([
      'probe',
      sim.url,
      '--allow-loopback',
      '--json',
      '--home',
      home,
    ]);
    expect(run.code).toBe(1);
    const document = json(run.stdout);
    expect(document).toMatchObject({ ok: false, error: { code: 'TLS_UNTRUSTED' } });
    const steps = document['steps'] as { name: string; code?: string }[];
    expect(steps.at(-1)).toMatchObject({ name: 'tls', code: 'TLS_UNTRUSTED' });
    expect((document['tls'] as { chain: unknown[] }).chain.length).toBeGreaterThan(0);
  });

  it('shows progress and the fix for people', async () => {
    const run = await runCliInProcess(['probe', sim.url, '--allow-loopback', '--home', home]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ok\s+url/);
    expect(run.stderr).toMatch(/FAIL tls/);
    expect(run.stderr).toContain('[TLS_UNTRUSTED]');
    expect(run.stderr).toContain('hint');
    expect(run.stderr).toContain('presented chain');
  });

  it('refuses a private key given as --ca-file', async () => {
    const key = path.join(home, 'key.pem');
    await writeFile(
      key,
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n',
    );
    const run = await runCliInProcess([
      'probe',
      sim.url,
      '--ca-file',
      key,
      '--json',
      '--home',
      home,
    ]);
    expect(run.code).toBe(1);
    expect(json(run.stdout)).toMatchObject({ ok: false, error: { code: 'TRUST_PRIVATE_KEY' } });
    expect(run.stdout).not.toContain('MIIEvQIBADANBg');
  });

  it('refuses loopback without --allow-loopback and http URLs', async () => {
    const loop = await runCliInProcess([
      'probe',
      sim.url,
      '--ca-file',
      sim.caFile,
      '--json',
      '--home',
      home,
    ]);
    expect(json(loop.stdout)).toMatchObject({ error: { code: 'INSTANCE_ADDRESS_FORBIDDEN' } });
    const http = await runCliInProcess([
      'probe',
      'http://bitbucket.example.com',
      '--json',
      '--home',
      home,
    ]);
    expect(http.code).toBe(1);
    expect(json(http.stdout)).toMatchObject({ error: { code: 'HTTPS_REQUIRED' } });
  });

  it('is a usage error without a URL', async () => {
    const run = await runCliInProcess(['probe', '--json', '--home', home]);
    expect(run.code).toBe(2);
  });
});
