import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { makePki } from '../net/test-pki.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

/** Editing an installation checks what it stores exactly as adding one does. */
describe('updateInstallation', () => {
  let sim: RunningSimulator;
  let home: string;
  let service: CompanionService;
  const pki = makePki('Update');
  const settingsText = () => readFileSync(join(home, 'settings.json'), 'utf8');

  beforeAll(async () => {
    sim = await startTestSimulator({ platform: false });
    home = mkdtempSync(join(tmpdir(), 'installation-update-'));
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

  it('refuses a leaf certificate or a key as a CA and keeps the stored CAs', async () => {
    const before = settingsText();
    await expect(
      service.invoke('updateInstallation', [{ installation: 'sim', caPems: [pki.leaf.certPem] }]),
    ).rejects.toMatchObject({ code: 'TRUST_NOT_CA' });
    await expect(
      service.invoke('updateInstallation', [
        {
          installation: 'sim',
          platform: {
            baseUrl: 'https://platform.example',
            installationId: 'p-1',
            caPems: [pki.leaf.keyPem],
          },
        },
      ]),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^TRUST_/) });
    expect(settingsText()).toBe(before);
  });

  it('probes new trust first: a real CA that does not complete the chain is not saved', async () => {
    const before = settingsText();
    await expect(
      service.invoke('updateInstallation', [{ installation: 'sim', caPems: [pki.root.certPem] }]),
    ).rejects.toMatchObject({
      code: 'TLS_UNTRUSTED',
      message: expect.stringContaining('Not updated'),
    });
    expect(settingsText()).toBe(before);
  });

  it('stores a real CA, and platform CAs, in their PEM form', async () => {
    const updated = await service.invoke('updateInstallation', [
      {
        installation: 'sim',
        caPems: [sim.caPem, `  ${pki.root.certPem}\n\n`],
        platform: {
          baseUrl: 'https://platform.example/',
          installationId: 'p-1',
          caPems: [pki.root.certPem],
        },
      },
    ]);
    expect(updated.caPems).toHaveLength(2);
    const squeeze = (pem: string | undefined) => pem?.replace(/\s+/g, '');
    expect(squeeze(updated.caPems[1])).toBe(squeeze(pki.root.certPem));
    expect(updated.platform).toMatchObject({ baseUrl: 'https://platform.example' });
    expect(updated.platform?.caPems).toHaveLength(1);
  });

  it('refuses a malformed listen address or relay URL with their codes', async () => {
    const before = settingsText();
    await expect(
      service.invoke('updateInstallation', [
        { installation: 'sim', relay: { listen: 'not an address' } },
      ]),
    ).rejects.toMatchObject({ code: 'RELAY_LISTEN_INVALID' });
    await expect(
      service.invoke('updateInstallation', [
        { installation: 'sim', relay: { publicUrl: 'ftp://relay.corp/' } },
      ]),
    ).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(
      service.invoke('updateInstallation', [
        { installation: 'sim', relay: { publicUrl: 'https://user:pw@relay.corp/' } },
      ]),
    ).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    expect(settingsText()).toBe(before);
    const updated = await service.invoke('updateInstallation', [
      {
        installation: 'sim',
        relay: { listen: ' [::1]:8787 ', publicUrl: 'http://relay.corp.example:8787/' },
      },
    ]);
    expect(updated.relay).toMatchObject({
      listen: '[::1]:8787',
      publicUrl: 'http://relay.corp.example:8787',
    });
  });
});
