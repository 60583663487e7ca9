// @vitest-environment happy-dom
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMPANION_VERSION } from '../../common/version.js';
import { silentLogger } from '../../core/logging/logger.js';
import { createMemorySecretStore } from '../../core/secrets/memory-store.js';
import type { CompanionService } from '../../core/service/companion-service.js';
import { openCompanionService } from '../../core/service/open-service.js';
import { App, VIEWS } from '../../renderer/src/app.js';
import { AppProvider } from '../../renderer/src/app-context.js';
import { startTestSimulator } from '../helpers/sim.js';

// The real engine facade (temp home, memory secrets) stands behind the components: only the
// transport is skipped, which the client and serve tests cover.
let home: string;
let service: CompanionService;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'renderer-app-'));
  service = await openCompanionService({
    home,
    transport: 'http',
    logger: silentLogger,
    secretStore: createMemorySecretStore(),
    env: {},
    oauthRedirect: 'localhost',
  });
});

afterAll(async () => {
  await service?.close();
  rmSync(home, { recursive: true, force: true });
});

afterEach(cleanup);

describe('App', () => {
  it('names the product and its version', async () => {
    const info = await service.getAppInfo();
    render(
      <AppProvider api={service} info={info}>
        <App />
      </AppProvider>,
    );
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Ankra BDC Companion');
    expect(screen.getByText(`Version ${COMPANION_VERSION}`)).toBeTruthy();
  });

  it('offers only the views whose operations this build has', async () => {
    const info = await service.getAppInfo();
    render(
      <AppProvider api={service} info={info}>
        <App />
      </AppProvider>,
    );
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const offered = [...nav.querySelectorAll('button')].map((button) => button.textContent);
    const expected = VIEWS.filter((view) =>
      view.needs.every((op) => info.capabilities.includes(op)),
    ).map((view) => view.title);
    expect(offered).toEqual(expected);
    expect(offered).toContain('Installations');
  });

  it('lists installations from the engine', async () => {
    const info = await service.getAppInfo();
    render(
      <AppProvider api={service} info={info}>
        <App initialView="installations" />
      </AppProvider>,
    );
    await waitFor(() => expect(screen.getByText('None yet.')).toBeTruthy());
  });
});

describe('App: the view it opens on', () => {
  it('opens on the wizard while no installation exists, and on Installations once one does', async () => {
    const info = await service.getAppInfo();
    const first = render(
      <AppProvider api={service} info={info}>
        <App />
      </AppProvider>,
    );
    await screen.findByRole('heading', { name: 'Where is your Bitbucket Data Center?' });
    first.unmount();
    const sim = await startTestSimulator({ platform: false });
    try {
      await service.invoke('addInstallation', [
        { name: 'listed', baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
      ]);
    } finally {
      await sim.close();
    }
    render(
      <AppProvider api={service} info={info}>
        <App />
      </AppProvider>,
    );
    await screen.findByRole('heading', { name: 'Installations' });
    await screen.findByRole('listitem', { name: 'listed' });
    await service.invoke('removeInstallation', [{ installation: 'listed' }]);
  });
});

describe('App after a corrupt settings file', () => {
  it('shows the recovery report as a banner', async () => {
    const info = await service.getAppInfo();
    render(
      <AppProvider
        api={service}
        info={{
          ...info,
          settingsRecovered: {
            code: 'SETTINGS_CORRUPT',
            message: 'The settings file /x/settings.json is unusable (not valid JSON).',
            hint: 'Repair /x/settings.json.corrupt-1 and move it back.',
          },
        }}
      >
        <App />
      </AppProvider>,
    );
    const banner = screen.getByRole('alert');
    expect(banner.textContent).toContain('were set aside');
    expect(banner.textContent).toContain('SETTINGS_CORRUPT');
  });
});
