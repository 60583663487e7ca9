import { MAX_CHUNK_BYTES } from './bridge-limits.js';

/**
 * A body chunk on the wire (BRIDGE.md): the request id in UTF-8, one 0x00, then at most 256 KiB
 * of body. Ids never contain 0x00 (they are printable ASCII), so the first 0x00 ends the id.
 */
export function encodeChunk(id: string, bytes: Uint8Array): Buffer {
  if (bytes.byteLength > MAX_CHUNK_BYTES) {
    throw new RangeError(`a chunk holds at most ${MAX_CHUNK_BYTES} bytes`);
  }
  const head = Buffer.from(id, 'utf8');
  const frame = Buffer.allocUnsafe(head.length + 1 + bytes.byteLength);
  head.copy(frame, 0);
  frame[head.length] = 0;
  frame.set(bytes, head.length + 1);
  return frame;
}

/** The id and bytes of a chunk frame, or undefined when it has no 0x00 separator. */
export function decodeChunk(
  frame: Uint8Array,
): { readonly id: string; readonly bytes: Buffer } | undefined {
  const buffer = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const end = buffer.indexOf(0);
  if (end <= 0) return undefined;
  return { id: buffer.subarray(0, end).toString('utf8'), bytes: buffer.subarray(end + 1) };
}

/** Splits a body piece into chunk-sized views (no copy). */
export function* chunkViews(bytes: Uint8Array): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += MAX_CHUNK_BYTES) {
    yield bytes.subarray(offset, Math.min(bytes.byteLength, offset + MAX_CHUNK_BYTES));
  }
}

/**
 * Frames the chunks of one body into a single reused buffer: the WebSocket library copies a frame
 * while masking it (a client's frames are always masked) before `send` returns, so the buffer is
 * free again at once and a 50 MiB body does not leave 50 MiB of frames for the collector.
 */
export class ChunkEncoder {
  private readonly buffer: Buffer;
  private readonly headLength: number;

  constructor(id: string) {
    const head = Buffer.from(id, 'utf8');
    this.headLength = head.length + 1;
    this.buffer = Buffer.allocUnsafe(this.headLength + MAX_CHUNK_BYTES);
    head.copy(this.buffer, 0);
    this.buffer[head.length] = 0;
  }

  /** The frame for `bytes`; valid until the next call. */
  frame(bytes: Uint8Array): Buffer {
    if (bytes.byteLength > MAX_CHUNK_BYTES) {
      throw new RangeError(`a chunk holds at most ${MAX_CHUNK_BYTES} bytes`);
    }
    this.buffer.set(bytes, this.headLength);
    return this.buffer.subarray(0, this.headLength + bytes.byteLength);
  }
}
