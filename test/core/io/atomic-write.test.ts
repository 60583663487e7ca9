import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicAsync } from '../../../core/io/atomic-write.js';

const folders: string[] = [];
function folder(): string {
  const made = mkdtempSync(join(tmpdir(), 'atomic-write-'));
  folders.push(made);
  return made;
}
afterEach(() => {
  for (const made of folders.splice(0)) rmSync(made, { recursive: true, force: true });
});

describe('atomic writes', () => {
  it('replace the content with the given mode and leave no temporary file (sync and async)', async () => {
    const dir = folder();
    const path = join(dir, 'a.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    writeFileAtomic(path, 'new', 0o600);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    await writeFileAtomicAsync(path, 'newer', { mode: 0o444, durable: false });
    expect(readFileSync(path, 'utf8')).toBe('newer');
    expect(lstatSync(path).mode & 0o777).toBe(0o444);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('replace a symbolic link at the target instead of writing through it', async () => {
    const dir = folder();
    const elsewhere = join(dir, 'elsewhere');
    writeFileSync(elsewhere, 'keep');
    const path = join(dir, 'link');
    symlinkSync(elsewhere, path);
    await writeFileAtomicAsync(path, 'mine');
    expect(readFileSync(elsewhere, 'utf8')).toBe('keep');
    expect(lstatSync(path).isSymbolicLink()).toBe(false);
  });

  it('leave the old content and no temporary file when the write cannot happen', async () => {
    const dir = folder();
    const path = join(dir, 'missing-folder', 'a.json');
    await expect(writeFileAtomicAsync(path, 'x')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
