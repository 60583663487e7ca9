/**
 * The one way the companion reads a body, a stream or standard input into memory: never more than
 * a bound, so a misbehaving server, a proxy's endless answer or `< /dev/urandom` cannot exhaust
 * memory. Leaving the loop early (a `break` or a throw inside `for await`) ends the iteration,
 * which destroys a Node stream — the rest is never read.
 */

type Chunk = Uint8Array | string;

/** Reads everything, or throws `tooLarge()` as soon as more than `limit` bytes arrived. */
export async function readBounded(
  source: AsyncIterable<Chunk>,
  limit: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    size += bytes.length;
    if (size > limit) throw tooLarge();
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}

/** Reads at most `limit` bytes and stops there: for excerpts, where the rest does not matter. */
export async function readPrefix(source: AsyncIterable<Chunk>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    chunks.push(bytes);
    size += bytes.length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks, size).subarray(0, limit);
}
