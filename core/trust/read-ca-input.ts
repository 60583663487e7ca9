import { open } from 'node:fs/promises';
import { CompanionError } from '../../common/errors/companion-error.js';
import { readPrefix } from '../io/bounded-read.js';
import { MAX_CA_INPUT_BYTES } from './validate-ca.js';

/**
 * Reads CA text from a file or a stream, never more than the limit plus one byte: a mistaken
 * path to a disk image must not be slurped into memory before being refused.
 */
export async function readCaFile(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new CompanionError(
      'FILE_READ_FAILED',
      `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
  try {
    const buffer = Buffer.alloc(MAX_CA_INPUT_BYTES + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return checkedText(buffer.subarray(0, filled));
  } catch (error) {
    if (error instanceof CompanionError) throw error;
    throw new CompanionError(
      'FILE_READ_FAILED',
      `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  } finally {
    await handle.close();
  }
}

/** Reads CA text from standard input (`ca check -`), with the same limit. */
export async function readCaStream(stream: NodeJS.ReadableStream): Promise<string> {
  // One byte over the limit is enough to refuse it with the size in the message.
  return checkedText(
    await readPrefix(stream as AsyncIterable<string | Uint8Array>, MAX_CA_INPUT_BYTES + 1),
  );
}

function checkedText(buffer: Buffer): string {
  if (buffer.length > MAX_CA_INPUT_BYTES) {
    throw new CompanionError(
      'TRUST_TOO_LARGE',
      `The CA input is larger than ${MAX_CA_INPUT_BYTES / 1024} KiB.`,
    );
  }
  return buffer.toString('utf8');
}
