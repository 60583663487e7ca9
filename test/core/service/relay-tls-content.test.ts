import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionError } from '../../../common/errors/companion-error.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { makePki } from '../net/test-pki.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

/**
 * Over the API (desktop and `serve`) relay TLS arrives as content: the service never opens a path
 * a caller names, so `/dev/zero` cannot exhaust its memory and no answer says whether a path
 * exists or is readable.
 */
describe('updateInstallation: relay TLS as content', () => {
  let sim: RunningSimulator;
  let home: string;
  let service: CompanionService;
  const pki = makePki('RelayTls');
  const other = makePki('Other');
  const settingsText = () => readFileSync(join(home, 'settings.json'), 'utf8');

  beforeAll(async () => {
    sim = await startTestSimulator({ platform: false });
    home = mkdtempSync(join(tmpdir(), 'relay-tls-content-'));
    service = await openCompanionService({
      home,
      transport: 'http',
      logger: silentLogger,
      secretStore: createMemorySecretStore(),
      env: {},
      oauthRedirect: 'localhost',
      startRelays: false,
    });
    await service.invoke('addInstallation', [
      { name: 'sim', baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
    ]);
  });

  afterAll(async () => {
    await service?.close();
    await sim?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const failure = (promise: Promise<unknown>): Promise<CompanionError> =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: unknown) => error as CompanionError,
    );

  it('refuses a path, any path, with the same answer: nothing is opened', async () => {
    const before = settingsText();
    const answers = [];
    for (const file of ['/dev/zero', '/etc/passwd', '/no/such/file', join(home, 'settings.json')]) {
      const error = await failure(
        service.invoke('updateInstallation', [
          { installation: 'sim', relay: { tls: { kind: 'files', certFile: file, keyFile: file } } },
        ]),
      );
      answers.push({ code: error.code, message: error.message.replaceAll(file, 'PATH') });
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]?.code).not.toMatch(/^(FILE_READ_FAILED|RELAY_TLS_INVALID)$/u);
    expect(settingsText()).toBe(before);
  });

  it('stores picked content as 0600 files the relay reads; the key never enters the settings', async () => {
    const updated = (await service.invoke('updateInstallation', [
      {
        installation: 'sim',
        relay: { tls: { kind: 'pem', certPem: pki.leaf.certPem, keyPem: pki.leaf.keyPem } },
      },
    ])) as { relay: { tls?: { certFile: string; keyFile: string } } };
    const tls = updated.relay.tls;
    expect(tls?.certFile.startsWith(join(home, 'relay-tls'))).toBe(true);
    expect(readFileSync(tls?.certFile ?? '', 'utf8')).toBe(pki.leaf.certPem);
    expect(readFileSync(tls?.keyFile ?? '', 'utf8')).toBe(pki.leaf.keyPem);
    if (process.platform !== 'win32') expect(statSync(tls?.keyFile ?? '').mode & 0o077).toBe(0);
    expect(settingsText()).not.toContain('PRIVATE KEY');
  });

  it('refuses a certificate and a key that do not match, and keeps what was stored', async () => {
    const before = settingsText();
    const error = await failure(
      service.invoke('updateInstallation', [
        {
          installation: 'sim',
          relay: { tls: { kind: 'pem', certPem: pki.leaf.certPem, keyPem: other.leaf.keyPem } },
        },
      ]),
    );
    expect(error.code).toBe('RELAY_TLS_INVALID');
    expect(settingsText()).toBe(before);
  });
});
