import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { runCliInProcess } from '../../helpers/cli-harness.js';
import { makePki } from '../net/test-pki.js';
import { serviceError, type JsonDocument } from './surfaces-fixture.js';

// `probe` / `ca check` and the wizard's instance and trust steps run the same use cases: the same
// CA gives the same summary, and the same bad input the same code on both.
let root: string;
let api: CompanionService;
const pki = makePki('Parity');

async function cli(args: readonly string[]): Promise<{ code: number; document: JsonDocument }> {
  const run = await runCliInProcess(['--home', join(root, 'cli'), '--json', ...args], { env: {} });
  return { code: run.code, document: JSON.parse(run.stdout || '{}') as JsonDocument };
}

function file(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'probe-ca-parity-'));
  api = await openCompanionService({
    home: join(root, 'service'),
    transport: 'http',
    logger: silentLogger,
    secretStore: createMemorySecretStore(),
    env: {},
    oauthRedirect: 'localhost',
    startRelays: false,
  });
});
afterAll(async () => {
  await api?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('ca check and probe, from the CLI and from the service', () => {
  it('summarise the same CA the same way', async () => {
    const fromCli = await cli(['ca', 'check', file('root.pem', pki.root.certPem)]);
    const fromService = await api.invoke('checkCa', [{ pem: pki.root.certPem }]);
    expect(fromCli.code).toBe(0);
    const summary = (list: readonly Record<string, unknown>[]) =>
      list.map(({ subject, issuer, sha256, notAfter }) => ({ subject, issuer, sha256, notAfter }));
    expect(summary(fromCli.document['certificates'])).toEqual(
      summary(fromService.certificates as never),
    );
    expect(fromCli.document['warnings']).toEqual(fromService.warnings);
  });

  it('refuse a leaf certificate and an intermediate alone with the same codes', async () => {
    for (const pem of [pki.leaf.certPem, pki.intermediate.certPem]) {
      const fromCli = await cli(['ca', 'check', file('input.pem', pem)]);
      const fromService = await serviceError(api.invoke('checkCa', [{ pem }]));
      expect(fromCli.document['error']?.['code']).toBe(fromService);
      expect(fromService).toMatch(/^TRUST_/u);
    }
  });

  it('probe refuses the same URL and the same pasted non-CA with the same codes', async () => {
    const plain = 'http://127.0.0.1:9/';
    const fromCli = await cli(['probe', plain]);
    const fromService = await api.invoke('probe', [{ url: plain }]);
    expect(fromCli.document['error']?.['code']).toBe(fromService.error?.code);
    expect(fromService.error?.code).toMatch(/^[A-Z_]+$/u);
    const leaf = file('leaf.pem', pki.leaf.certPem);
    const leafCli = await cli(['probe', 'https://127.0.0.1:9/', '--ca-file', leaf]);
    const leafService = await serviceError(
      api.invoke('probe', [{ url: 'https://127.0.0.1:9/', caPems: [pki.leaf.certPem] }]),
    );
    expect(leafCli.document['error']?.['code']).toBe(leafService);
    expect(leafService).toMatch(/^TRUST_/u);
  });
});
