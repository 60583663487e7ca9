import type { CompanionBridge } from '../common/api/envelope.js';
import { EVENT_CHANNEL, OPERATION_NAMES, operationChannel } from '../common/api/operations.js';

/** The slice of `ipcRenderer` the bridge uses; passed in so tests drive it without Electron. */
export interface BridgeIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

/**
 * Builds `window.companion`: one named method per contract operation over a fixed channel, and
 * `onEvent`, which hands listeners the payload only — never Electron's event object, whose
 * `sender` would give the page `ipcRenderer` back.
 */
export function createBridge(ipc: BridgeIpc): CompanionBridge {
  const methods: Record<string, unknown> = {};
  for (const operation of OPERATION_NAMES) {
    const channel = operationChannel(operation);
    methods[operation] = (...args: unknown[]) => ipc.invoke(channel, ...args);
  }
  methods['onEvent'] = (listener: (event: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent takes a function');
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipc.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipc.removeListener(EVENT_CHANNEL, wrapped);
    };
  };
  return Object.freeze(methods) as unknown as CompanionBridge;
}
