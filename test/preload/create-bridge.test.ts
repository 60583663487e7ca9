import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CompanionApi, CompanionOperations } from '../../common/api/companion-api.js';
import type { CompanionBridge, Envelope } from '../../common/api/envelope.js';
import { EVENT_CHANNEL, OPERATION_NAMES, operationChannel } from '../../common/api/operations.js';
import { createBridge, type BridgeIpc } from '../../preload/create-bridge.js';

/** A recording stand-in for `ipcRenderer` (the Electron binary cannot run here). */
function recordingIpc() {
  const calls: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  const ipc: BridgeIpc = {
    async invoke(channel, ...args) {
      calls.push({ channel, args });
      return { ok: true, value: channel };
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(listener);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
  };
  const emit = (channel: string, payload: unknown) => {
    for (const listener of listeners.get(channel) ?? [])
      listener({ sender: 'IPC-EVENT-OBJECT' }, payload);
  };
  return { ipc, calls, listeners, emit };
}

describe('preload bridge', () => {
  it('matches the contract at the type level: every operation, same parameters, enveloped results', () => {
    expectTypeOf(createBridge).returns.toEqualTypeOf<CompanionBridge>();
    expectTypeOf<keyof CompanionBridge>().toEqualTypeOf<keyof CompanionApi>();
    expectTypeOf<Parameters<CompanionBridge['probe']>>().toEqualTypeOf<
      Parameters<CompanionOperations['probe']>
    >();
    expectTypeOf<ReturnType<CompanionBridge['listInstallations']>>().toEqualTypeOf<
      Promise<Envelope<Awaited<ReturnType<CompanionOperations['listInstallations']>>>>
    >();
    expectTypeOf<Parameters<CompanionBridge['signInWithPat']>[0]>().toEqualTypeOf<
      Parameters<CompanionOperations['signInWithPat']>[0]
    >();
  });

  it('exposes exactly one method per operation plus onEvent, frozen', () => {
    const bridge = createBridge(recordingIpc().ipc);
    expect(Object.keys(bridge).sort()).toEqual([...OPERATION_NAMES, 'onEvent'].sort());
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.values(bridge).every((value) => typeof value === 'function')).toBe(true);
    expect('ipcRenderer' in bridge).toBe(false);
    expect('invoke' in bridge).toBe(false);
  });

  it('sends each operation on its own fixed channel', async () => {
    const { ipc, calls } = recordingIpc();
    const bridge = createBridge(ipc);
    await bridge.probe({ url: 'https://bdc.example' });
    await bridge.listInstallations();
    expect(calls).toEqual([
      { channel: operationChannel('probe'), args: [{ url: 'https://bdc.example' }] },
      { channel: 'api:listInstallations', args: [] },
    ]);
  });

  it('hands event listeners the payload only, never the IPC event', () => {
    const { ipc, emit, listeners } = recordingIpc();
    const bridge = createBridge(ipc);
    const seen: unknown[][] = [];
    const unsubscribe = bridge.onEvent((...args: unknown[]) => seen.push(args));
    emit(EVENT_CHANNEL, { kind: 'installations-changed' });
    expect(seen).toEqual([[{ kind: 'installations-changed' }]]);
    unsubscribe();
    expect(listeners.get(EVENT_CHANNEL)?.size).toBe(0);
    expect(() => bridge.onEvent('not a function' as never)).toThrow(TypeError);
  });
});
