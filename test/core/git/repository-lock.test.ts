import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../../core/git/repository-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('repository lock', () => {
  it('waits for a lock another live process holds, then takes it', async () => {
    const file = path.join(dir, 'repo.lock');
    // Another process takes the lock file the same way and keeps it for a while.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const fs=require('fs');fs.writeFileSync(${JSON.stringify(file)},JSON.stringify({pid:process.pid,host:require('os').hostname(),token:'other'}),{flag:'wx'});setTimeout(()=>{fs.rmSync(${JSON.stringify(file)});process.exit(0)},300);`,
      ],
      { stdio: 'ignore' },
    );
    // Wait until the other process holds it (process start is slow on a loaded machine).
    while (
      !(await readFile(file, 'utf8').then(
        () => true,
        () => false,
      ))
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const started = Date.now();
    const lock = await acquireLock(file, { timeoutMs: 5000, pollMs: 20 });
    expect(Date.now() - started).toBeGreaterThan(50);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
    holder.kill();
  });

  it('breaks a lock whose owner died, and times out on a live one', async () => {
    const file = path.join(dir, 'repo.lock');
    const dead = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) =>
      dead.once('exit', () => resolve(dead.pid as number)),
    );
    await writeFile(
      file,
      JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), token: 'dead' }),
    );
    const lock = await acquireLock(file, { timeoutMs: 2000 });
    await lock.release();

    await writeFile(
      file,
      JSON.stringify({
        pid: process.ppid,
        host: (await import('node:os')).hostname(),
        token: 'parent',
      }),
    );
    await expect(acquireLock(file, { timeoutMs: 100, pollMs: 10 })).rejects.toMatchObject({
      code: 'PUSH_LOCK_TIMEOUT',
    });
  });
});
