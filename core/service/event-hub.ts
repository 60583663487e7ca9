import type { EventListener, Unsubscribe } from '../../common/api/companion-api.js';
import type { CompanionEvent } from '../../common/api/models.js';

/**
 * Fans engine events out to every subscribed UI (the Electron window, each `serve` SSE stream).
 * A listener that throws is isolated: one broken stream must not stop the others.
 */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: CompanionEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A transport that failed to write is the transport's problem; keep delivering to others.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
