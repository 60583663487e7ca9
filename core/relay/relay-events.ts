import type { RelayEvent } from '../../common/models/relay.js';

export type RelayListener = (event: RelayEvent) => void;

/**
 * Live events for the UI (relay view, tray). A listener that throws is isolated: the relay's
 * work never depends on what an observer does.
 */
export class RelayEvents {
  private readonly listeners = new Set<RelayListener>();

  subscribe(listener: RelayListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RelayEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // An observer's failure is its own business.
      }
    }
  }
}
