import { describe, expect, it } from 'vitest';
import type { BridgeOverview } from '../../../common/api/models.js';
import { describeBridge } from '../../../renderer/src/components/bridge-parts.js';

const base: BridgeOverview = {
  running: true,
  lastBeatAt: undefined,
  tokenConfigured: true,
  policy: { read: [], readProjects: [], push: [] },
  status: {
    state: 'connected',
    platformUrl: 'https://platform.example',
    connectedSince: '2026-12-03T00:00:00.000Z',
    reconnectAttempts: 0,
    lastRequest: undefined,
    counts: { ok: 0, denied: 0, failed: 0, cancelled: 0 },
    lastError: undefined,
  },
};

describe('Bridge view wording', () => {
  it('says connected only when a running bridge is connected; a failure never reads as success', () => {
    expect(describeBridge(base)).toEqual({
      text: 'Connected to https://platform.example',
      tone: 'ok',
    });
    expect(describeBridge({ ...base, tokenConfigured: false }).tone).toBe('warn');
    expect(describeBridge({ ...base, running: false }).tone).toBe('bad');
    const refused = describeBridge({
      ...base,
      status: {
        ...base.status!,
        state: 'refused',
        lastError: { code: 'BRIDGE_TOKEN_REFUSED', message: 'refused' },
      },
    });
    expect(refused.tone).toBe('bad');
    expect(refused.text).toContain('paste a new one');
    expect(refused.text).not.toMatch(/--|bdc-companion/);
  });
});
