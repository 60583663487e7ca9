import { describe, expect, it } from 'vitest';
import type { Installation } from '../../../common/api/models.js';
import { DEFAULT_RELAY_SETTINGS } from '../../../common/models/installation.js';
import type { BridgeStatus } from '../../../common/models/bridge.js';
import { setupGaps, type BridgeSetupFacts } from '../../../renderer/src/wizard/setup-gaps.js';

// The bridge is optional (docs/bridge.md): an installation whose wizard passed the Bridge step
// without a token is finished; one left at that step, or with a token that never connected, is
// not — and "Continue setup" opens the Bridge step.
const finished: Installation = {
  id: 'inst-1',
  name: 'corp',
  baseUrl: 'https://bdc.corp.example',
  caPems: [],
  allowLoopback: false,
  platform: { baseUrl: 'https://platform.example', installationId: 'p-1', caPems: [] },
  auth: { kind: 'pat', user: 'admin', verifiedAt: '2026-01-01T00:00:00.000Z' },
  relay: { ...DEFAULT_RELAY_SETTINGS, enabled: true, publicUrl: 'http://10.0.0.5:8787' },
  createdAt: '2026-01-01T00:00:00.000Z',
};

function status(overrides: Partial<BridgeStatus>): BridgeStatus {
  return {
    state: 'connecting',
    platformUrl: 'https://platform.example',
    connectedSince: undefined,
    reconnectAttempts: 0,
    lastRequest: undefined,
    counts: { ok: 0, denied: 0, failed: 0, cancelled: 0 },
    lastError: undefined,
    ...overrides,
  };
}

const facts = (
  tokenConfigured: boolean,
  bridgeStatus: BridgeStatus | undefined,
  stoppedAtBridgeStep = false,
): BridgeSetupFacts => ({
  overview: { tokenConfigured, status: bridgeStatus },
  stoppedAtBridgeStep,
});

describe('the bridge in what an installation still lacks', () => {
  it('does not nag when the wizard passed the Bridge step without a token', () => {
    expect(setupGaps(finished, true, facts(false, undefined))).toEqual([]);
  });

  it('names a wizard left at the Bridge step without a token, and resumes there', () => {
    expect(setupGaps(finished, true, facts(false, undefined, true))).toEqual([
      { what: 'bridge token not saved (the setup stopped at the Bridge step)', step: 'bridge' },
    ]);
  });

  it('names a token that never connected, refused or still trying', () => {
    expect(setupGaps(finished, true, facts(true, undefined))).toEqual([
      {
        what: 'bridge token saved, but the bridge has not connected to the platform yet',
        step: 'bridge',
      },
    ]);
    expect(
      setupGaps(finished, true, facts(true, status({ state: 'refused' }))).map((gap) => gap.what),
    ).toEqual(['bridge token refused by the platform (the bridge never connected)']);
  });

  it('is finished once the bridge connected, even if it is reconnecting now', () => {
    expect(setupGaps(finished, true, facts(true, status({ state: 'connected' })))).toEqual([]);
    const worked = status({
      state: 'reconnecting',
      counts: { ok: 12, denied: 0, failed: 0, cancelled: 0 },
    });
    expect(setupGaps(finished, true, facts(true, worked))).toEqual([]);
  });

  it('says nothing before the engine answered, without a platform link, or in builds without the bridge step', () => {
    expect(setupGaps(finished, true, { overview: undefined, stoppedAtBridgeStep: true })).toEqual(
      [],
    );
    const unlinked: Installation = { ...finished, platform: undefined };
    expect(setupGaps(unlinked, true, facts(false, undefined, true))).toEqual([]);
    expect(setupGaps(finished, true)).toEqual([]);
  });

  it('comes after sign-in and the relay', () => {
    const fresh: Installation = {
      ...finished,
      auth: { kind: 'none' },
      relay: DEFAULT_RELAY_SETTINGS,
    };
    expect(setupGaps(fresh, true, facts(true, undefined)).map((gap) => gap.step)).toEqual([
      'sign-in',
      'relay',
      'bridge',
    ]);
  });
});
