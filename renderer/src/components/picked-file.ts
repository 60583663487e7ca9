import { CompanionError } from '../../../common/errors/companion-error.js';

/** A certificate, chain or key file holds a few KiB; the companion refuses more than 64 KiB. */
export const PICKED_PEM_MAX_BYTES = 64 * 1024;

/** What the page knows of a file the user picked or dropped (a `File`, or a test's stand-in). */
export interface PickedFile {
  readonly name?: string;
  readonly size: number;
  text(): Promise<string>;
}

/**
 * Reads a file the user picked or dropped, in the page: the main process never opens a path the
 * page names (docs/operations.md, "Files the companion reads"). Bounded like every file the
 * companion reads — at most 64 KiB — and a regular file only: a dropped folder (or anything the
 * browser cannot read as a file) is refused by name, not read.
 */
export async function readPickedPem(file: PickedFile, regularFile = true): Promise<string> {
  if (!regularFile) {
    throw new CompanionError(
      'FILE_READ_FAILED',
      `${named(file)} is not a regular file (a folder?): drop the certificate file itself.`,
    );
  }
  if (file.size > PICKED_PEM_MAX_BYTES) {
    throw new CompanionError(
      'FILE_READ_FAILED',
      `${named(file)} is larger than 64 KiB; a certificate or key file holds a few KiB.`,
    );
  }
  const text = await file.text();
  // The size told may differ from what is read (a file that grew since it was picked).
  if (text.length > PICKED_PEM_MAX_BYTES) {
    throw new CompanionError(
      'FILE_READ_FAILED',
      `${named(file)} is larger than 64 KiB; a certificate or key file holds a few KiB.`,
    );
  }
  return text;
}

function named(file: PickedFile): string {
  return file.name === undefined ? 'The picked file' : `"${file.name.slice(0, 200)}"`;
}

/**
 * Whether a dropped item is a regular file. `webkitGetAsEntry` tells a folder from a file; where
 * it is missing, a `File` with no type and size 0 is what browsers give for a folder.
 */
export function droppedRegularFile(item: DataTransferItem | undefined): {
  readonly file: File | undefined;
  readonly regular: boolean;
} {
  if (item === undefined || item.kind !== 'file') return { file: undefined, regular: false };
  const file = item.getAsFile() ?? undefined;
  const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
  const regular =
    entry === null ? file !== undefined && !(file.size === 0 && file.type === '') : entry.isFile;
  return { file, regular };
}
