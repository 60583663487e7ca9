// @vitest-environment happy-dom
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, render, screen } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { AppProvider } from '../../../renderer/src/app-context.js';
import { RelayStep } from '../../../renderer/src/wizard/relay-step.js';
import { readPickedPem, relayTlsChange } from '../../../renderer/src/wizard/relay-tls-change.js';
import { INITIAL_WIZARD } from '../../../renderer/src/wizard/wizard-model.js';

// The real engine facade on a temp home; the instance address is a closed loopback port, so the
// step's project listing fails quietly and nothing leaves the machine.
let home: string;
let service: CompanionService;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'renderer-relay-'));
  const installation = newInstallation({
    name: 'bdc',
    baseUrl: 'https://127.0.0.1:9',
    allowLoopback: true,
    platform: { baseUrl: 'https://platform.example', installationId: 'plat-1', caPems: [] },
  });
  openSettings(home).saveInstallation({
    ...installation,
    relay: { ...installation.relay, publicUrl: 'https://127.0.0.1:8787' },
  });
  service = await openCompanionService({
    home,
    transport: 'http',
    logger: silentLogger,
    secretStore: createMemorySecretStore(),
    env: {},
    oauthRedirect: 'localhost',
    startRelays: false,
  });
});

afterAll(async () => {
  await service?.close();
  rmSync(home, { recursive: true, force: true });
});

afterEach(cleanup);

describe('RelayStep', () => {
  it('warns when BDC would have to call a loopback relay URL', async () => {
    const [installation] = await service.invoke('listInstallations', []);
    const info = await service.getAppInfo();
    render(
      <AppProvider api={service} info={info}>
        <RelayStep
          state={{ ...INITIAL_WIZARD, step: 'relay', installation }}
          onChange={() => undefined}
        />
      </AppProvider>,
    );
    const note = await screen.findByRole('note', { name: 'Relay URL warnings' });
    expect(note.textContent).toContain('loopback');
    expect(screen.getByLabelText('Relay endpoint').textContent).toContain(
      'https://127.0.0.1:8787/webhooks/bitbucket-dc/plat-1',
    );
  });
});

describe('relay TLS fields', () => {
  it('sends the picked files as content (never a path), goes back to HTTP on request, refuses one alone', async () => {
    expect(relayTlsChange('CERT', 'KEY', false)).toEqual({
      kind: 'pem',
      certPem: 'CERT',
      keyPem: 'KEY',
    });
    expect(relayTlsChange(undefined, undefined, true)).toEqual({ kind: 'none' });
    expect(relayTlsChange(undefined, undefined, false)).toBeUndefined();
    expect(() => relayTlsChange('CERT', undefined, false)).toThrow(/both the certificate/);
    await expect(readPickedPem({ size: 70 * 1024, text: async () => 'x' })).rejects.toThrow(
      /64 KiB/,
    );
    expect(await readPickedPem({ size: 4, text: async () => 'CERT' })).toBe('CERT');
  });
});
