// @vitest-environment happy-dom
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { AppProvider } from '../../../renderer/src/app-context.js';
import { InstallationsView } from '../../../renderer/src/views/installations-view.js';
import { makePki } from '../../core/net/test-pki.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

// The real engine facade against the simulator over HTTPS: replacing the CAs probes the
// instance with the new trust before anything is saved.
let sim: RunningSimulator;
let home: string;
let service: CompanionService;

beforeAll(async () => {
  sim = await startTestSimulator({ platform: false });
  home = mkdtempSync(join(tmpdir(), 'renderer-installations-'));
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

afterEach(cleanup);

describe('InstallationsView: replacing the private CAs', () => {
  it('refuses a CA that does not complete the chain, then saves one that does', async () => {
    const [before] = await service.invoke('listInstallations', []);
    const info = await service.getAppInfo();
    render(
      <AppProvider api={service} info={info}>
        <InstallationsView onAdd={() => undefined} onContinue={() => undefined} />
      </AppProvider>,
    );
    const card = within(await screen.findByRole('listitem', { name: 'sim' }));
    const field = card.getByLabelText('New CA certificates (PEM)');
    fireEvent.change(field, { target: { value: makePki('Unrelated').root.certPem } });
    fireEvent.click(card.getByRole('button', { name: 'Probe and save' }));
    const refused = await card.findByRole('alert', {}, { timeout: 10_000 });
    expect(refused.textContent).toContain('TLS_UNTRUSTED');
    expect(refused.textContent).toContain('Not updated');
    const [unchanged] = await service.invoke('listInstallations', []);
    expect(unchanged).toEqual(before);

    fireEvent.change(field, { target: { value: sim.caPem } });
    fireEvent.click(card.getByRole('button', { name: 'Probe and save' }));
    expect((await card.findByRole('status', {}, { timeout: 10_000 })).textContent).toContain(
      'answered with the new trust (1 CA)',
    );
  }, 30_000);
});
