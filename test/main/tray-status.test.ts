import { describe, expect, it } from 'vitest';
import type { BridgeOverview, RelayStatus } from '../../common/api/models.js';
import { bridgeTrayLabel, relayTrayLabel } from '../../main/tray-status.js';

function status(patch: Partial<RelayStatus>): RelayStatus {
  return {
    installationId: 'i',
    running: true,
    listen: '127.0.0.1:8787',
    lastReceivedAt: undefined,
    lastDeliveredAt: undefined,
    lastPingAt: undefined,
    pending: 0,
    oldestPendingAgeMs: undefined,
    delivered: 0,
    dead: 0,
    rejectedSignatures: 0,
    duplicates: 0,
    dropped: 0,
    lastError: undefined,
    liveness: { running: [], lastRun: undefined },
    mode: { mode: 'webhooks', reason: 'BDC reaches the relay.', suggestWatch: false },
    watch: {
      enabled: false,
      running: false,
      intervalSeconds: undefined,
      watched: 0,
      lastPollAt: undefined,
      events: 0,
      deduplicated: 0,
      lastError: undefined,
    },
    ...patch,
  };
}

describe('tray relay label', () => {
  it('says off when no relay runs', () => {
    expect(relayTrayLabel([])).toBe('Relay: off');
    expect(relayTrayLabel([status({ running: false, pending: 3 })])).toBe('Relay: off');
  });

  it('puts dead-lettered deliveries first, then pending ones', () => {
    expect(relayTrayLabel([status({ dead: 2, pending: 1 }), status({ pending: 4 })])).toBe(
      'Relay: 2 dead-lettered, 5 pending',
    );
    expect(relayTrayLabel([status({ pending: 1 })])).toBe('Relay: 1 pending');
    expect(relayTrayLabel([status({}), status({})])).toBe('Relay: running (2)');
  });
});

describe('bridge tray line', () => {
  const overview = (
    state: 'connected' | 'refused' | 'reconnecting' | undefined,
    extra: Partial<BridgeOverview> = {},
  ): BridgeOverview => ({
    running: state !== undefined,
    lastBeatAt: undefined,
    tokenConfigured: true,
    policy: { read: [], readProjects: [], push: [] },
    status:
      state === undefined
        ? undefined
        : {
            state,
            platformUrl: 'https://platform.example',
            connectedSince: undefined,
            reconnectAttempts: 0,
            lastRequest: undefined,
            counts: { ok: 0, denied: 0, failed: 0, cancelled: 0 },
            lastError: undefined,
          },
    ...extra,
  });

  it('says connected only when every configured bridge is, and names a refused token', () => {
    expect(bridgeTrayLabel([])).toBe('Bridge: not set up');
    expect(bridgeTrayLabel([overview('connected', { tokenConfigured: false })])).toBe(
      'Bridge: not set up',
    );
    expect(bridgeTrayLabel([overview('connected'), overview('connected')])).toBe(
      'Bridge: connected (2)',
    );
    expect(bridgeTrayLabel([overview(undefined)])).toBe('Bridge: not running');
    expect(bridgeTrayLabel([overview('connected'), overview('reconnecting')])).toBe(
      'Bridge: 1 of 2 connected',
    );
    expect(bridgeTrayLabel([overview('connected'), overview('refused')])).toBe(
      'Bridge: token refused by the platform',
    );
  });
});
