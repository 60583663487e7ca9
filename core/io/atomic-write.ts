import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that a crash leaves either the old or the new content, never a mix: the bytes
 * go to a new temporary file in the same folder (same file system, so the rename is atomic),
 * created exclusively with the final mode — so a secret never sits readable by others, even for a
 * moment — and flushed to disk before it replaces the target; the folder is flushed after the
 * rename so the new name survives a power cut. Every file the companion replaces goes through
 * here (settings, secrets file, CA bundle, clone-cache metadata, diagnostics, git objects).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const temporary = temporaryName(path);
  const descriptor = openSync(temporary, 'wx', mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(descriptor, bytes, offset);
    fsyncSync(descriptor);
  } catch (error) {
    closeSync(descriptor);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(descriptor);
  try {
    renameSync(temporary, path);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
  syncFolder(dirname(path));
}

export interface AtomicWriteOptions {
  readonly mode?: number;
  /**
   * Flush file and folder to disk (default). Content-addressed files that a crash may lose
   * without harm (git objects, which are written again on the next attempt) skip the flushes.
   */
  readonly durable?: boolean;
}

/** `writeFileAtomic` without blocking the event loop. */
export async function writeFileAtomicAsync(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const durable = options.durable ?? true;
  const temporary = temporaryName(path);
  const handle = await open(temporary, 'wx', options.mode ?? 0o600);
  try {
    try {
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  if (durable) await syncFolderAsync(dirname(path));
}

/** Hidden, unique per process and call, next to the target. */
function temporaryName(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

function syncFolder(folder: string): void {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(folder, 'r');
    fsyncSync(descriptor);
  } catch {
    // Some platforms (Windows) cannot open or fsync a folder; the rename is still atomic there.
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

async function syncFolderAsync(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  if (handle === undefined) return;
  // As above: a folder that cannot be flushed still got an atomic rename.
  await handle.sync().catch(() => undefined);
  await handle.close();
}
