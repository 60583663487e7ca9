import { createHash } from 'node:crypto';

export const ZERO_OID = '0000000000000000000000000000000000000000';

export type TreeEntryMode = '100644' | '100755' | '120000' | '040000' | '160000';

export interface TreeEntry {
  readonly mode: TreeEntryMode;
  readonly name: string;
  readonly oid: string;
}

/** The id git gives these bytes as a blob, computed without writing anything. */
export function blobOid(content: Uint8Array): string {
  return createHash('sha1')
    .update(`blob ${content.byteLength}\u0000`)
    .update(content)
    .digest('hex');
}

export function isTree(entry: TreeEntry): boolean {
  return entry.mode === '040000';
}

/** Parses git's binary tree format (`<mode> <name>\0<20-byte id>`…). */
export function parseTree(bytes: Uint8Array): TreeEntry[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: TreeEntry[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const space = buffer.indexOf(0x20, offset);
    const nul = buffer.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > buffer.length) throw new Error('corrupt tree object');
    const rawMode = buffer.toString('latin1', offset, space);
    const mode = (rawMode.length === 5 ? `0${rawMode}` : rawMode) as TreeEntryMode;
    const name = buffer.toString('utf8', space + 1, nul);
    const oid = buffer.toString('hex', nul + 1, nul + 21);
    entries.push({ mode, name, oid });
    offset = nul + 21;
  }
  return entries;
}

/** Reads one tree of the base commit; the engines implement it over their object stores. */
export type TreeReader = (oid: string) => Promise<readonly TreeEntry[]>;
