import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompanionError } from '../../../common/errors/companion-error.js';
import { loadRelayTls } from '../../../core/relay/relay-tls.js';
import {
  FILE_LIMITS,
  readBoundedFile,
  readBoundedFileSync,
  readFileTailSync,
} from '../../../core/io/bounded-file.js';
import { collectChanges } from '../../../cli/commands/push.js';
import { readCaText, readSecretFromFile } from '../../../cli/commands/installation-support.js';
import type { CommandContext } from '../../../cli/command.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bounded-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fifo = path.join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const big = path.join(dir, 'big');
writeFileSync(big, '');
// Sparse: larger than every limit but the pushed-file one, without using the disk.
truncateSync(big, FILE_LIMITS.settings + 1);
const huge = path.join(dir, 'huge');
writeFileSync(huge, '');
truncateSync(huge, FILE_LIMITS.pushedFile + 1);
const small = path.join(dir, 'small.txt');
writeFileSync(small, 'hello\n', { mode: 0o600 });
const link = path.join(dir, 'link');
symlinkSync(small, link);

async function failure(work: () => unknown): Promise<CompanionError> {
  try {
    await work();
  } catch (error) {
    return error as CompanionError;
  }
  throw new Error('expected a refusal');
}

describe('readBoundedFile / readBoundedFileSync', () => {
  it.each([
    ['/dev/zero', 'is not a regular file'],
    [fifo, 'is not a regular file'],
    [dir, 'is not a regular file'],
    [big, 'is larger than 64 KiB'],
    [path.join(dir, 'missing'), 'does not exist'],
  ])('refuses %s with FILE_READ_FAILED (%s), async and sync', async (file, reason) => {
    for (const read of [
      () => readBoundedFile(file, 'token'),
      () => readBoundedFileSync(file, 'token'),
    ]) {
      const error = await failure(read);
      expect(error.code).toBe('FILE_READ_FAILED');
      expect(error.message).toContain(reason);
    }
  });

  it('reads a regular file, also through a symbolic link, up to the exact limit', async () => {
    expect((await readBoundedFile(link, 'token')).toString()).toBe('hello\n');
    const exact = path.join(dir, 'exact');
    writeFileSync(exact, Buffer.alloc(FILE_LIMITS.token, 0x61));
    expect(readBoundedFileSync(exact, 'token')).toHaveLength(FILE_LIMITS.token);
    writeFileSync(exact, Buffer.alloc(FILE_LIMITS.token + 1, 0x61));
    expect((await failure(() => readBoundedFile(exact, 'token'))).code).toBe('FILE_READ_FAILED');
  });

  it('reads only the tail of a log, and refuses a device there too', () => {
    expect(readFileTailSync(small, 'log', 3).toString()).toBe('lo\n');
    expect(() => readFileTailSync('/dev/zero', 'log', 10)).toThrow(/not a regular file/u);
  });
});

describe('every reader of a named file goes through it', () => {
  const context = (put: string): CommandContext =>
    ({ flags: { put }, io: { stdin: process.stdin } }) as unknown as CommandContext;

  it('push --put PATH=FILE: a device, a pipe and a file over the push limit are refused', async () => {
    for (const file of ['/dev/zero', fifo, huge]) {
      expect((await failure(() => collectChanges(context(`a.txt=${file}`)))).code).toBe(
        'FILE_READ_FAILED',
      );
    }
    const changes = await collectChanges(context(`a.txt=${small}`));
    expect(Buffer.from((changes[0] as { content: Uint8Array }).content).toString()).toBe('hello\n');
  });

  it('--token-file and --ca-file: a device, a pipe and an oversized file are refused', async () => {
    for (const file of ['/dev/zero', fifo, big]) {
      expect((await failure(() => readSecretFromFile(file, 'token', () => undefined))).code).toBe(
        'FILE_READ_FAILED',
      );
      expect((await failure(() => readCaText(file))).code).toBe('FILE_READ_FAILED');
    }
  });

  it('relay TLS files (installation update --relay-tls-*, relay run --tls-*): the same', async () => {
    for (const file of ['/dev/zero', fifo, big]) {
      const error = await failure(() => loadRelayTls({ certFile: file, keyFile: small }));
      expect(error.code).toBe('FILE_READ_FAILED');
    }
  });
});
