import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { CompanionError } from '../../common/errors/companion-error.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The most the companion reads of each kind of file. Every file it opens goes through this
 * module: a regular file (not a device such as /dev/zero, a FIFO or a folder), at most this many
 * bytes — checked on the open descriptor and again while reading, since a size from stat can lie
 * (/proc) or change. Documented in docs/operations.md, "Files the companion reads".
 */
export const FILE_LIMITS = {
  /** A token, passphrase or credential file. */
  token: 64 * KiB,
  /** A relay TLS certificate or private key (PEM). */
  certificate: 64 * KiB,
  /** A CA file: the instance's private CA chain, a few certificates. */
  caFile: 64 * KiB,
  /** One file of a push (`--put PATH=FILE`): the push's documented per-file limit. */
  pushedFile: 100 * MiB,
  /** The settings file and the encrypted secret file. */
  settings: 4 * MiB,
  /** Small files the companion writes itself (lock owners, cache metadata, FETCH_HEAD). */
  internal: 1 * MiB,
  /** A log file collected into the diagnostic bundle (its tail is what matters). */
  log: 16 * MiB,
  /** A file of the UI bundle served by `serve` and the desktop shell. */
  uiAsset: 32 * MiB,
} as const;

export type FileKind = keyof typeof FILE_LIMITS;

const KIND_NAMES: Record<FileKind, string> = {
  token: 'token file',
  certificate: 'certificate or key file',
  caFile: 'CA file',
  pushedFile: 'file to push',
  settings: 'settings file',
  internal: 'file',
  log: 'log file',
  uiAsset: 'UI file',
};

function sizeText(bytes: number): string {
  return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`;
}

function refused(path: string, kind: FileKind, reason: string, cause?: unknown): CompanionError {
  return new CompanionError('FILE_READ_FAILED', `The ${KIND_NAMES[kind]} ${path} ${reason}.`, {
    ...(cause === undefined ? {} : { cause }),
    data: { kind, reason },
  });
}

function openFailure(path: string, kind: FileKind, error: unknown): CompanionError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'cannot be read by this user'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : `cannot be read (${code ?? (error as Error).message})`;
  return refused(path, kind, reason, error);
}

/** Read in pieces: a size from stat can be 0 for a file with content (/proc) or grow meanwhile. */
const CHUNK_BYTES = 256 * KiB;

/** O_NONBLOCK: opening a FIFO must not wait for a writer before the regular-file check. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function checkStat(path: string, kind: FileKind, isFile: boolean, size: number): void {
  if (!isFile) throw refused(path, kind, 'is not a regular file (a device, pipe or folder)');
  if (size > FILE_LIMITS[kind]) {
    throw refused(path, kind, `is larger than ${sizeText(FILE_LIMITS[kind])}`);
  }
}

function tooLarge(path: string, kind: FileKind): CompanionError {
  return refused(path, kind, `is larger than ${sizeText(FILE_LIMITS[kind])}`);
}

/** An error while reading: our own refusals pass through, a system error gets its reason. */
function readFailure(path: string, kind: FileKind, error: unknown): CompanionError {
  return error instanceof CompanionError ? error : openFailure(path, kind, error);
}

/**
 * The chunks read so far, refused as soon as they pass the kind's limit. The synchronous and the
 * asynchronous reader share it so both enforce the limit on the bytes read, not the stat size.
 */
class CappedChunks {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private readonly limit: number;

  constructor(
    private readonly path: string,
    private readonly kind: FileKind,
  ) {
    this.limit = FILE_LIMITS[kind];
  }

  /** A buffer for the next read: one byte past the limit is enough to know the file is too large. */
  nextBuffer(): Buffer {
    return Buffer.allocUnsafe(Math.min(CHUNK_BYTES, this.limit + 1 - this.length));
  }

  /** Keeps what a read returned; false at the end of the file. */
  add(chunk: Buffer, bytesRead: number): boolean {
    if (bytesRead === 0) return false;
    this.chunks.push(chunk.subarray(0, bytesRead));
    this.length += bytesRead;
    if (this.length > this.limit) throw tooLarge(this.path, this.kind);
    return true;
  }

  content(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

/**
 * Reads a whole file of this kind, or throws FILE_READ_FAILED (with the reason: missing, not
 * readable, not a regular file, too large). Symbolic links are followed (certbot's live/ files
 * are links), and the file they reach must pass the same checks.
 */
export async function readBoundedFile(path: string, kind: FileKind): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw openFailure(path, kind, error);
  }
  try {
    const stat = await handle.stat();
    checkStat(path, kind, stat.isFile(), stat.size);
    const read = new CappedChunks(path, kind);
    for (;;) {
      const chunk = read.nextBuffer();
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (!read.add(chunk, bytesRead)) break;
    }
    return read.content();
  } catch (error) {
    throw readFailure(path, kind, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The synchronous form, for start-up paths that are synchronous (settings, relay TLS). */
export function readBoundedFileSync(path: string, kind: FileKind): Buffer {
  return withOpenFileSync(path, kind, (fd, stat) => {
    checkStat(path, kind, stat.isFile(), stat.size);
    const read = new CappedChunks(path, kind);
    for (;;) {
      const chunk = read.nextBuffer();
      if (!read.add(chunk, readSync(fd, chunk, 0, chunk.length, null))) break;
    }
    return read.content();
  });
}

/**
 * Opens the file (without waiting on a FIFO), hands its descriptor and stat to `work`, and closes
 * it; every failure becomes FILE_READ_FAILED with its reason.
 */
function withOpenFileSync<T>(
  path: string,
  kind: FileKind,
  work: (fd: number, stat: Stats) => T,
): T {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openFailure(path, kind, error);
  }
  try {
    return work(fd, fstatSync(fd));
  } catch (error) {
    throw readFailure(path, kind, error);
  } finally {
    closeSync(fd);
  }
}

/**
 * The last `maxBytes` of a regular file of this kind (a log's tail for the diagnostic bundle):
 * the file may be larger than its kind's limit; only the tail is read.
 */
export function readFileTailSync(path: string, kind: FileKind, maxBytes: number): Buffer {
  return withOpenFileSync(path, kind, (fd, stat) => {
    if (!stat.isFile())
      throw refused(path, kind, 'is not a regular file (a device, pipe or folder)');
    const wanted = Math.min(maxBytes, FILE_LIMITS[kind], stat.size);
    const buffer = Buffer.allocUnsafe(wanted);
    let length = 0;
    while (length < wanted) {
      const bytesRead = readSync(fd, buffer, length, wanted - length, stat.size - wanted + length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  });
}
