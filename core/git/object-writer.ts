import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { writeFileAtomicAsync } from '../io/atomic-write.js';
import type { CommitSignature } from './engine-attempt.js';
import type { TreeEntry } from './git-objects.js';

export type ObjectType = 'blob' | 'tree' | 'commit';

/** A git object in memory: its id, type and uncompressed body. */
export interface GitObject {
  readonly type: ObjectType;
  readonly oid: string;
  readonly body: Buffer;
}

function hashObject(type: ObjectType, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\u0000`).update(body).digest('hex');
}

export function blobObject(content: Uint8Array): GitObject {
  const body = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  return { type: 'blob', oid: hashObject('blob', body), body };
}

/**
 * A tree in git's canonical form: entries sorted by their UTF-8 bytes, a folder compared as if
 * its name ended in "/" (git's `base_name_compare`), modes without leading zeros.
 */
export function treeObject(entries: readonly TreeEntry[]): GitObject {
  const keyed = entries.map((entry) => ({
    entry,
    name: Buffer.from(entry.name, 'utf8'),
    key: Buffer.from(entry.mode === '040000' ? `${entry.name}/` : entry.name, 'utf8'),
  }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  for (const { entry, name } of keyed) {
    parts.push(
      Buffer.from(`${entry.mode.replace(/^0/, '')} `, 'latin1'),
      name,
      Buffer.from([0]),
      Buffer.from(entry.oid, 'hex'),
    );
  }
  const body = Buffer.concat(parts);
  return { type: 'tree', oid: hashObject('tree', body), body };
}

function signatureLine(signature: CommitSignature): string {
  const sign = signature.offsetMinutes < 0 ? '-' : '+';
  const minutes = Math.abs(signature.offsetMinutes);
  const zone = `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
  return `${signature.name} <${signature.email}> ${signature.timestamp} ${zone}`;
}

/** A commit exactly as `git commit-tree` writes it (the engines' byte-identity test checks this). */
export function commitObject(commit: {
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: CommitSignature;
  readonly committer: CommitSignature;
  readonly message: string;
}): GitObject {
  const lines = [`tree ${commit.tree}`, ...commit.parents.map((parent) => `parent ${parent}`)];
  lines.push(
    `author ${signatureLine(commit.author)}`,
    `committer ${signatureLine(commit.committer)}`,
  );
  const body = Buffer.from(`${lines.join('\n')}\n\n${commit.message}`, 'utf8');
  return { type: 'commit', oid: hashObject('commit', body), body };
}

const PACK_TYPES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };

/**
 * A version-2 pack of exactly these objects, whole (no deltas): the objects a commit adds are
 * known, so nothing has to be walked or negotiated to find them.
 */
export function buildPack(objects: readonly GitObject[]): Buffer {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  const parts: Buffer[] = [header];
  for (const object of objects) {
    let size = object.body.length;
    const bytes: number[] = [];
    let byte = (PACK_TYPES[object.type] << 4) | (size & 0x0f);
    size >>>= 4;
    while (size > 0) {
      bytes.push(byte | 0x80);
      byte = size & 0x7f;
      size >>>= 7;
    }
    bytes.push(byte);
    parts.push(Buffer.from(bytes), deflateSync(object.body, { level: 1 }));
  }
  const pack = Buffer.concat(parts);
  return Buffer.concat([pack, createHash('sha1').update(pack).digest()]);
}

/** Stores objects as loose objects (what `git hash-object -w` does), skipping existing ones. */
export async function writeLooseObjects(
  gitdir: string,
  objects: readonly GitObject[],
): Promise<void> {
  const seen = new Set<string>();
  const pending = objects.filter((object) => !seen.has(object.oid) && seen.add(object.oid));
  const batch = 32;
  for (let index = 0; index < pending.length; index += batch) {
    await Promise.all(
      pending.slice(index, index + batch).map(async (object) => {
        const directory = path.join(gitdir, 'objects', object.oid.slice(0, 2));
        const file = path.join(directory, object.oid.slice(2));
        if (
          await stat(file).then(
            () => true,
            () => false,
          )
        )
          return;
        await mkdir(directory, { recursive: true });
        const data = deflateSync(
          Buffer.concat([
            Buffer.from(`${object.type} ${object.body.length}\u0000`, 'latin1'),
            object.body,
          ]),
          { level: 1 },
        );
        // Git's own loose objects are not flushed either; a lost one is written again.
        await writeFileAtomicAsync(file, data, { mode: 0o444, durable: false });
      }),
    );
  }
}
