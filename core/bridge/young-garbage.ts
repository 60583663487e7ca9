import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Relaying a body leaves about two bytes of short-lived ArrayBuffer memory per byte: the TLS read
 * from BDC that undici hands over, and the masked copy `ws` makes of every client frame (a
 * client's frames are always masked, RFC 6455 §5.3). V8 frees those only when it collects the
 * young generation, which a relay loop allocating little JavaScript rarely fills; it forces a
 * collection only once young ArrayBuffers hold twice the largest semi-space (32 MiB on 64-bit).
 * A 50 MiB read therefore grew the companion's RSS by about 32 MiB (docs/bridge.md, "Memory").
 * Collecting the young generation after every 2 MiB relayed keeps that garbage to a few MiB, for
 * about a millisecond per collection.
 */
export const RELAYED_BYTES_PER_COLLECTION = 2 * 1024 * 1024;

type Collector = () => void;

let minorCollector: Collector | null | undefined;

/**
 * V8's young-generation collection, through `gc` of a fresh context (the flag exposes it only to
 * contexts created afterwards, so the companion's own global gets no `gc`). Null where the runtime
 * does not offer it: the relay then works as before, with V8's own schedule.
 */
export function youngGenerationCollector(): Collector | null {
  if (minorCollector === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as unknown;
      minorCollector =
        typeof gc === 'function'
          ? () => (gc as (options: object) => void)({ type: 'minor' })
          : null;
    } catch {
      minorCollector = null;
    }
  }
  return minorCollector;
}

/**
 * Counts relayed bytes and collects the young generation after every `every` of them. The
 * collector is looked up at the first collection, so a bridge that only relays small answers
 * never touches V8's flags.
 */
export class YoungGarbagePacer {
  private relayed = 0;

  constructor(
    private readonly collector: () => Collector | null = youngGenerationCollector,
    private readonly every = RELAYED_BYTES_PER_COLLECTION,
  ) {}

  relay(bytes: number): void {
    this.relayed += bytes;
    if (this.relayed < this.every) return;
    this.relayed = 0;
    this.collector()?.();
  }
}
