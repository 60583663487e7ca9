// @vitest-environment happy-dom
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { AppProvider } from '../../../renderer/src/app-context.js';
import { TrustStep } from '../../../renderer/src/wizard/trust-step.js';
import { INITIAL_WIZARD, type WizardState } from '../../../renderer/src/wizard/wizard-model.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

// The real engine facade against the simulator over HTTPS, whose chain is leaf → intermediate →
// root: pasting only the intermediate needs the explicit partial-chain choice.
let sim: RunningSimulator;
let home: string;
let service: CompanionService;

beforeAll(async () => {
  sim = await startTestSimulator();
  home = mkdtempSync(join(tmpdir(), 'renderer-trust-'));
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
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

afterEach(cleanup);

describe('TrustStep with an intermediate-only CA', () => {
  it('offers the partial-chain choice, proves it fixes the chain and saves it', async () => {
    const changes: Partial<WizardState>[] = [];
    const info = await service.getAppInfo();
    // The step is controlled: its pasted CA lives in the wizard's state, as in the app.
    function Harness() {
      const [state, setState] = useState<WizardState>({
        ...INITIAL_WIZARD,
        step: 'trust',
        draft: { ...INITIAL_WIZARD.draft, name: 'inter', url: sim.url, allowLoopback: true },
      });
      return (
        <TrustStep
          state={state}
          onChange={(next) => {
            changes.push(next);
            setState((current) => ({ ...current, ...next }));
          }}
        />
      );
    }
    render(
      <AppProvider api={service} info={info}>
        <Harness />
      </AppProvider>,
    );
    fireEvent.change(screen.getByLabelText(/CA certificate/), {
      target: { value: sim.intermediatePem },
    });
    expect((await screen.findByRole('alert')).textContent).toContain('TRUST_INTERMEDIATE_ONLY');
    fireEvent.click(screen.getByLabelText(/Trust this intermediate CA alone/));
    await screen.findByText(/Valid CA certificate/);
    fireEvent.click(screen.getByRole('button', { name: 'Will this fix it?' }));
    fireEvent.click(
      await screen.findByRole('button', { name: 'Save the CA and continue' }, { timeout: 10_000 }),
    );
    await waitFor(() => expect(changes.some((change) => change.step === 'sign-in')).toBe(true));
    const [saved] = await service.invoke('listInstallations', []);
    expect(saved?.allowPartialChain).toBe(true);
    expect(saved?.caPems).toHaveLength(1);
  }, 30_000);
});
