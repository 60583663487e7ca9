import type { Dispatcher } from 'undici';
import { createDispatcher } from '../net/network-factory.js';
import type { NetworkOptions } from '../net/network-options.js';

/** Dispatchers kept at once: one per network configuration in use, not one per push ever made. */
const KEPT = 4;
const kept = new Map<string, Dispatcher>();

export interface LeasedDispatcher {
  readonly dispatcher: Dispatcher;
  /** Closes a dispatcher that is not kept; a kept one stays open for the next attempt. */
  release(): Promise<void>;
}

/**
 * The dispatcher both engines talk smart HTTP through (ref discovery, fetch, receive-pack), kept
 * per network configuration so an attempt, its retries and the next push reuse one TLS
 * connection instead of a handshake per request. Options that carry functions (a test's
 * `resolveHost`, an injected routing) cannot be told apart by value: those get a dispatcher of
 * their own, closed on release.
 */
export function smartHttpDispatcher(network: NetworkOptions): LeasedDispatcher {
  if (network.resolveHost !== undefined || network.routing !== undefined) {
    const dispatcher = createDispatcher(network);
    return { dispatcher, release: () => dispatcher.close().catch(() => undefined) };
  }
  const key = JSON.stringify(network);
  let dispatcher = kept.get(key);
  if (dispatcher === undefined) {
    dispatcher = createDispatcher(network);
    for (const [oldKey, old] of kept) {
      if (kept.size < KEPT) break;
      kept.delete(oldKey);
      void old.close().catch(() => undefined);
    }
  } else {
    kept.delete(key);
  }
  kept.set(key, dispatcher);
  return { dispatcher, release: async () => undefined };
}

/** Closes every kept dispatcher (the engines' runner closing; a process about to exit). */
export async function closeSmartHttpDispatchers(): Promise<void> {
  const all = [...kept.values()];
  kept.clear();
  await Promise.all(all.map((dispatcher) => dispatcher.close().catch(() => undefined)));
}
