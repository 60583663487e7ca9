import { describe, expect, it } from 'vitest';
import {
  RELAYED_BYTES_PER_COLLECTION,
  youngGenerationCollector,
  YoungGarbagePacer,
} from '../../../core/bridge/young-garbage.js';

// A relayed body leaves short-lived ArrayBuffers (BDC's TLS reads, ws's masked copies) that V8
// frees only when it collects the young generation (docs/bridge.md, "Memory").
describe('young garbage of a relayed body', () => {
  it('collects the young generation after every few MiB relayed, not before', () => {
    let collections = 0;
    const pacer = new YoungGarbagePacer(() => () => (collections += 1), 1000);
    pacer.relay(600);
    expect(collections).toBe(0);
    pacer.relay(400);
    expect(collections).toBe(1);
    for (let index = 0; index < 10; index += 1) pacer.relay(250);
    expect(collections).toBe(3);
    expect(RELAYED_BYTES_PER_COLLECTION).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('relays without collecting where the runtime offers no collector', () => {
    expect(() => new YoungGarbagePacer(() => null, 1).relay(10)).not.toThrow();
  });

  it("frees dropped buffers with Node's own collector, without exposing gc to the companion", () => {
    const collect = youngGenerationCollector();
    expect(collect).toBeTypeOf('function');
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    collect!();
    const before = process.memoryUsage().arrayBuffers;
    // What a 16 MiB relay leaves behind: 16 KiB pieces, each dropped at once.
    let last: Buffer | undefined;
    for (let index = 0; index < 1024; index += 1) last = Buffer.allocUnsafe(16 * 1024).fill(index);
    expect(last?.length).toBe(16 * 1024);
    last = undefined;
    const grown = process.memoryUsage().arrayBuffers - before;
    collect!();
    const left = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeGreaterThan(8 * 1024 * 1024);
    expect(left).toBeLessThan(2 * 1024 * 1024);
  });
});
