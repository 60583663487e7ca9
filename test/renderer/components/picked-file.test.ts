import { describe, expect, it } from 'vitest';
import {
  droppedRegularFile,
  PICKED_PEM_MAX_BYTES,
  readPickedPem,
} from '../../../renderer/src/components/picked-file.js';

/** A dropped item as the browser gives it: a file, or a folder (`webkitGetAsEntry().isFile` false). */
function item(file: { size: number; type: string } | null, isFile: boolean | undefined) {
  return {
    kind: 'file',
    getAsFile: () => file,
    ...(isFile === undefined ? {} : { webkitGetAsEntry: () => ({ isFile }) }),
  } as unknown as DataTransferItem;
}

describe('a file the user picked or dropped', () => {
  it('is read only when it is a regular file of at most 64 KiB', async () => {
    const file = (size: number, text = 'PEM') => ({ name: 'ca.pem', size, text: async () => text });
    await expect(readPickedPem(file(4))).resolves.toBe('PEM');
    await expect(readPickedPem(file(PICKED_PEM_MAX_BYTES + 1))).rejects.toMatchObject({
      code: 'FILE_READ_FAILED',
      message: expect.stringContaining('larger than 64 KiB'),
    });
    // A file that grew after it was picked is refused on what was read, not what was told.
    await expect(
      readPickedPem(file(4, 'x'.repeat(PICKED_PEM_MAX_BYTES + 1))),
    ).rejects.toMatchObject({ code: 'FILE_READ_FAILED' });
    await expect(readPickedPem(file(4), false)).rejects.toMatchObject({
      code: 'FILE_READ_FAILED',
      message: expect.stringContaining('not a regular file'),
    });
  });

  it('tells a dropped folder from a dropped file', () => {
    const pem = { size: 1200, type: 'application/x-pem-file' };
    expect(droppedRegularFile(item(pem, true)).regular).toBe(true);
    expect(droppedRegularFile(item({ size: 4096, type: '' }, false)).regular).toBe(false);
    // Without webkitGetAsEntry, an empty untyped File is what browsers give for a folder.
    expect(droppedRegularFile(item({ size: 0, type: '' }, undefined)).regular).toBe(false);
    expect(droppedRegularFile(item(pem, undefined)).regular).toBe(true);
    expect(droppedRegularFile(undefined)).toEqual({ file: undefined, regular: false });
  });
});
