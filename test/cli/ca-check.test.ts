import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliInProcess } from '../helpers/cli-harness.js';
import { makeCert, makePki, ONE_DAY_MS } from '../core/net/test-pki.js';

let sim: RunningSimulator;
let home: string;

beforeAll(async () => {
  sim = await startSimulator({ platform: false });
  home = await mkdtemp(path.join(tmpdir(), 'ca-check-cli-'));
});
afterAll(async () => {
  await sim.close();
  await rm(home, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const target = path.join(home, name);
  await writeFile(target, content);
  return target;
}

async function check(args: readonly string[], stdin?: string) {
  const run = await runCliInProcess(['ca', 'check', ...args, '--json', '--home', home], {
    ...(stdin === undefined ? {} : { stdin }),
  });
  return {
    code: run.code,
    document: JSON.parse(run.stdout.trim()) as Record<string, unknown>,
    run,
  };
}

describe('bdc-companion ca check', () => {
  it('accepts a real CA from the system store and shows its identity', async () => {
    const systemCa = readdirSync('/etc/ssl/certs').find((name) => name.startsWith('ISRG_Root_X1'));
    const { code, document } = await check([
      path.join('/etc/ssl/certs', systemCa ?? 'ISRG_Root_X1.pem'),
    ]);
    expect(code).toBe(0);
    expect(document).toMatchObject({ ok: true, warnings: [] });
    const [certificate] = document['certificates'] as Record<string, unknown>[];
    expect(certificate).toMatchObject({
      selfSigned: true,
      subject: expect.stringContaining('ISRG Root X1'),
    });
    expect(Object.keys(certificate!)).toEqual(
      expect.arrayContaining(['subject', 'issuer', 'sha256', 'notAfter', 'selfSigned']),
    );
  });

  it('reads standard input with -', async () => {
    const { code, document } = await check(['-'], sim.caPem);
    expect(code).toBe(0);
    expect((document['certificates'] as unknown[]).length).toBe(1);
  });

  it('refuses leaf, private key, garbage, oversize and expired input with distinct codes', async () => {
    const pki = makePki('Cli');
    const expired = makeCert({
      commonName: 'Old CA',
      ca: true,
      notBefore: new Date(Date.now() - 400 * ONE_DAY_MS),
      notAfter: new Date(Date.now() - ONE_DAY_MS),
    });
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const cases: [string, string][] = [
      [await file('leaf.pem', pki.leaf.certPem), 'TRUST_NOT_CA'],
      [await file('key.pem', key), 'TRUST_PRIVATE_KEY'],
      [await file('garbage.pem', 'definitely not a certificate\n'), 'TRUST_NOT_PEM'],
      [await file('big.pem', `${pki.root.certPem}${'#'.repeat(70 * 1024)}`), 'TRUST_TOO_LARGE'],
      [await file('expired.pem', expired.certPem), 'TRUST_EXPIRED'],
      [path.join(home, 'missing.pem'), 'FILE_READ_FAILED'],
    ];
    const codes = new Set<string>();
    for (const [target, expected] of cases) {
      const { code, document, run } = await check([target]);
      expect(code).toBe(1);
      expect((document['error'] as { code: string }).code).toBe(expected);
      codes.add(expected);
      if (expected === 'TRUST_PRIVATE_KEY')
        expect(run.stdout + run.stderr).not.toContain(key.split('\n')[1]!);
    }
    expect(codes.size).toBe(cases.length);
  });

  it('answers "will this fix it" against the live server', async () => {
    const good = await check([sim.caFile, '--url', sim.url, '--allow-loopback']);
    expect(good.code).toBe(0);
    expect(good.document).toMatchObject({ ok: true, fix: { verified: true } });

    const other = await file('other-root.pem', makePki('Unrelated').root.certPem);
    const bad = await check([other, '--url', sim.url, '--allow-loopback']);
    expect(bad.code).toBe(1);
    expect(bad.document).toMatchObject({
      ok: false,
      error: { code: 'TRUST_DOES_NOT_FIX' },
      fix: { verified: false, code: 'TLS_UNTRUSTED' },
    });
    const message = (bad.document['error'] as { message: string }).message;
    expect(message).toContain('CN=BDC Simulator Root CA');
    expect(message).toContain('CN=Unrelated Root CA');
  });

  it('needs --partial-chain for an intermediate alone, and then it verifies', async () => {
    const intermediate = await file('intermediate.pem', sim.intermediatePem);
    const refused = await check([intermediate]);
    expect((refused.document['error'] as { code: string }).code).toBe('TRUST_INTERMEDIATE_ONLY');
    const accepted = await check([
      intermediate,
      '--partial-chain',
      '--url',
      sim.url,
      '--allow-loopback',
    ]);
    expect(accepted.document).toMatchObject({
      ok: true,
      partialChain: true,
      fix: { verified: true },
    });
  });
});
