import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { parseTree, type TreeEntry } from './git-objects.js';
import { spawnGit } from './git-process.js';

/**
 * One long-lived `git cat-file --batch`, so reading the folders a change set touches costs one
 * process, not one per folder.
 */
export class CatFileBatch {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private readonly waiting: {
    resolve: (value: Buffer | undefined) => void;
    reject: (error: Error) => void;
  }[] = [];
  private failed: Error | undefined;

  constructor(gitdir: string, env: Readonly<Record<string, string>>) {
    this.child = spawnGit(['--git-dir', gitdir, 'cat-file', '--batch'], { env });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    this.child.stderr.resume();
    const fail = (error: Error): void => {
      this.failed = error;
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    };
    this.child.on('error', fail);
    this.child.on('close', () => fail(new Error('git cat-file exited')));
    this.child.stdin.on('error', () => undefined);
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline < 0) return;
      const header = this.buffer.toString('utf8', 0, newline);
      if (header.endsWith(' missing')) {
        this.buffer = this.buffer.subarray(newline + 1);
        this.waiting.shift()?.resolve(undefined);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (this.buffer.length < newline + 1 + size + 1) return;
      const body = this.buffer.subarray(newline + 1, newline + 1 + size);
      this.buffer = this.buffer.subarray(newline + 1 + size + 1);
      this.waiting.shift()?.resolve(Buffer.from(body));
    }
  }

  read(oid: string): Promise<Buffer | undefined> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${oid}\n`);
    });
  }

  async readTree(oid: string): Promise<TreeEntry[]> {
    const body = await this.read(oid);
    if (body === undefined) throw new Error(`tree ${oid} is missing from the clone cache`);
    return parseTree(body);
  }

  close(): void {
    this.child.stdin.end();
  }
}
