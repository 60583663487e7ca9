// @vitest-environment happy-dom
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { speaksCli } from '../../../common/errors/hint-surface.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { AppProvider } from '../../../renderer/src/app-context.js';
import { ProbeSteps } from '../../../renderer/src/components/probe-steps.js';
import { HistoryView } from '../../../renderer/src/views/history-view.js';
import { TestPushView } from '../../../renderer/src/views/test-push-view.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

// Issue 16 item 5 said: "a hint speaks where it is shown". Two places in the window still showed
// the command line's wording: the probe's failed step printed `hint` ("… with --ca-file F") and
// Push history printed the catalogue's default fix ("… `bdc-companion auth pat <name>
// --token-stdin` …"). Both errors come from the real engine against the simulator here.
let sim: RunningSimulator;
let home: string;
let service: CompanionService;

beforeAll(async () => {
  sim = await startTestSimulator({ platform: false });
  home = mkdtempSync(join(tmpdir(), 'renderer-gui-hints-'));
  service = await openCompanionService({
    home,
    transport: 'http',
    logger: silentLogger,
    secretStore: createMemorySecretStore(),
    env: { BDC_COMPANION_CACHE_DIR: join(home, 'cache') },
    oauthRedirect: 'localhost',
    startRelays: false,
  });
});

afterAll(async () => {
  await service?.close();
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

afterEach(cleanup);

describe('fixes shown in the window speak the window’s words', () => {
  it('a probe step refused for an untrusted chain says to paste the CA, not --ca-file', async () => {
    const report = await service.invoke('probe', [{ url: sim.url, allowLoopback: true }]);
    const tls = report.steps.find((step) => step.name === 'tls');
    expect(tls?.error?.code).toBe('TLS_UNTRUSTED');
    // The engine carries both wordings; the command line's names the flag.
    expect(tls?.error?.hint).toContain('--ca-file');
    render(<ProbeSteps steps={report.steps} running={false} />);
    const shown = screen.getByRole('list', { name: 'Probe steps' }).textContent ?? '';
    expect(shown).toContain('Fix: Paste the CA certificate of');
    expect(shown).not.toContain('--ca-file');
    expect(speaksCli(shown)).toBe(false);
  }, 30_000);

  it('a test push to a missing branch says to check the branch, not an API field', async () => {
    await service.invoke('addInstallation', [
      { name: 'branch', baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
    ]);
    await service.invoke('signInWithPat', [{ installation: 'branch', token: sim.pat }]);
    const info = await service.getAppInfo();
    render(
      <AppProvider api={service} info={info}>
        <TestPushView />
      </AppProvider>,
    );
    fireEvent.change(await screen.findByLabelText(/Repository/), {
      target: { value: `${sim.project}/${sim.repo}` },
    });
    fireEvent.change(screen.getByLabelText('Branch'), { target: { value: 'no-such-branch' } });
    fireEvent.click(screen.getByRole('button', { name: 'Push' }));
    const alert = await screen.findByRole('alert', {}, { timeout: 20_000 });
    const shown = alert.textContent ?? '';
    expect(shown).toContain('BRANCH_NOT_FOUND');
    // It said "pass the branch to create it from (`createFrom`)": a field of the API, not the window.
    expect(shown).toContain('Fix: Check the branch name');
    expect(shown).not.toContain('createFrom');
    expect(speaksCli(shown)).toBe(false);
    cleanup();
  }, 30_000);

  it('a failed push in Push history shows the window’s fix, not the command line’s', async () => {
    await service.invoke('addInstallation', [
      { name: 'hist', baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
    ]);
    const token = sim.addToken({
      user: sim.user.name,
      projectPermission: 'PROJECT_READ',
      repoPermission: 'REPO_WRITE',
    });
    await service.invoke('signInWithPat', [{ installation: 'hist', token }]);
    sim.revokeToken(token);
    await expect(
      service.invoke('testPush', [
        {
          installation: 'hist',
          repo: `${sim.project}/${sim.repo}`,
          branch: 'main',
          message: 'revoked token',
          put: [{ path: 'hist/revoked.txt', content: 'x\n' }],
          delete: [],
        },
      ]),
    ).rejects.toMatchObject({ code: 'PUSH_AUTH_FAILED' });

    const info = await service.getAppInfo();
    render(
      <AppProvider api={service} info={info}>
        <HistoryView />
      </AppProvider>,
    );
    const badge = await screen.findByText('PUSH_AUTH_FAILED', {}, { timeout: 10_000 });
    fireEvent.click(badge);
    await waitFor(() => expect(document.body.textContent).toContain('Fix: Sign in again'));
    const shown = document.body.textContent ?? '';
    expect(shown).toContain('Installations → Sign in');
    expect(shown).not.toContain('--token-stdin');
    expect(speaksCli(shown)).toBe(false);
  }, 30_000);
});
