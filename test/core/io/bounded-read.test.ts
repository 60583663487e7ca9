import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBounded, readPrefix } from '../../../core/io/bounded-read.js';

function endless(chunk: Buffer): Readable & { pulled: () => number } {
  let pulled = 0;
  const stream = new Readable({
    read() {
      pulled += 1;
      this.push(chunk);
    },
  });
  return Object.assign(stream, { pulled: () => pulled });
}

describe('bounded reads', () => {
  it('reads a body within the bound whole, strings and bytes alike', async () => {
    expect(
      (
        await readBounded(Readable.from(['ab', Buffer.from('cd')]), 4, () => new Error('x'))
      ).toString(),
    ).toBe('abcd');
  });

  it('refuses an endless body with the caller’s error and stops reading it', async () => {
    const source = endless(Buffer.alloc(1024));
    await expect(readBounded(source, 10_000, () => new Error('too large'))).rejects.toThrow(
      'too large',
    );
    expect(source.destroyed).toBe(true);
    expect(source.pulled()).toBeLessThan(20);
  });

  it('takes only a prefix of an endless body and destroys the rest', async () => {
    const source = endless(Buffer.from('0123456789'));
    const prefix = await readPrefix(source, 25);
    expect(prefix.toString()).toBe('0123456789012345678901234');
    expect(source.destroyed).toBe(true);
  });
});
