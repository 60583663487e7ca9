import type { ErrorShape } from '../errors/error-shape.js';
import type { CompanionOperations, OperationName, OperationResult } from './companion-api.js';

/**
 * What a transport carries back for one call. Errors travel as data because Electron's
 * `ipcMain.handle` keeps only an error's message (VS Code notes the same), and the UI switches on
 * `code`.
 */
export type Envelope<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorShape };

/**
 * The shape the preload exposes on `window.companion`: one method per operation, same
 * parameters, results wrapped in an envelope. A type-level test proves it matches the contract.
 */
export type CompanionBridge = {
  readonly [K in OperationName]: (
    ...args: Parameters<CompanionOperations[K]>
  ) => Promise<Envelope<OperationResult<K>>>;
} & {
  /** Delivers event payloads only, never Electron's event object. */
  readonly onEvent: (listener: (event: unknown) => void) => () => void;
};

export function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const ok = (value as { ok?: unknown }).ok;
  return ok === true || ok === false;
}
