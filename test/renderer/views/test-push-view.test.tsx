// @vitest-environment happy-dom
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { AppProvider } from '../../../renderer/src/app-context.js';
import {
  mergePushProgress,
  PushProgressList,
} from '../../../renderer/src/components/push-progress.js';
import { TestPushView } from '../../../renderer/src/views/test-push-view.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

// The real engine facade against the simulator over HTTPS: the progress the form shows comes
// from the push engine's own reports, carried as push-progress events.
let sim: RunningSimulator;
let home: string;
let service: CompanionService;

beforeAll(async () => {
  sim = await startTestSimulator();
  home = mkdtempSync(join(tmpdir(), 'renderer-push-'));
  service = await openCompanionService({
    home,
    transport: 'http',
    logger: silentLogger,
    secretStore: createMemorySecretStore(),
    env: { BDC_COMPANION_CACHE_DIR: join(home, 'cache') },
    oauthRedirect: 'localhost',
    startRelays: false,
  });
  await service.invoke('addInstallation', [
    { name: 'sim', baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
  ]);
  await service.invoke('signInWithPat', [{ installation: 'sim', token: sim.pat }]);
});

afterAll(async () => {
  await service?.close();
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

afterEach(cleanup);

describe('TestPushView', () => {
  it('shows the push phases live and keeps them with the result', async () => {
    const info = await service.getAppInfo();
    render(
      <AppProvider api={service} info={info}>
        <TestPushView />
      </AppProvider>,
    );
    const repo = await screen.findByLabelText(/Repository/);
    fireEvent.change(repo, { target: { value: `${sim.project}/${sim.repo}` } });
    fireEvent.click(screen.getByRole('button', { name: 'Push' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Pushed'), {
      timeout: 20_000,
    });
    const list = screen.getByRole('list', { name: 'Push progress' });
    const phases = [...list.querySelectorAll('li')].map((item) => item.dataset['phase']);
    expect(phases).toContain('build');
    expect(phases).toContain('push');
    expect(list.querySelector('[data-phase="push"]')?.className).toBe('step-ok');
  }, 30_000);
});

describe('PushProgressList', () => {
  it('draws a bar with counts for the running phase and keeps one row per phase', () => {
    let progress = mergePushProgress([], { phase: 'fetch', attempt: 1, done: 2, total: 2 });
    progress = mergePushProgress(progress, { phase: 'push', attempt: 1, done: 1, total: 4 });
    progress = mergePushProgress(progress, { phase: 'push', attempt: 1, done: 3, total: 4 });
    render(<PushProgressList progress={progress} running={true} />);
    const rows = screen.getAllByRole('listitem');
    expect(rows.map((row) => row.dataset['phase'])).toEqual(['fetch', 'push']);
    expect(rows[1]?.className).toBe('step-running');
    expect(rows[1]?.textContent).toContain('3/4');
    const bar = screen.getByLabelText('Pushing progress') as HTMLProgressElement;
    expect(bar.getAttribute('value')).toBe('3');
    expect(bar.getAttribute('max')).toBe('4');
    // A retry starts over: only the new attempt's phases are shown.
    expect(
      mergePushProgress(progress, { phase: 'retry', attempt: 2 }).map((each) => each.phase),
    ).toEqual(['retry']);
  });
});
