import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloneCache } from '../../../core/git/clone-cache.js';
import type { LogFields, Logger } from '../../../core/logging/logger.js';

let root: string;
let clock: number;
const logs: { message: string; fields: LogFields | undefined }[] = [];
const logger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: (message, fields) => void logs.push({ message, fields }),
  debug: () => undefined,
  child: () => logger,
};

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'clone-cache-'));
  clock = 1_000_000;
  logs.length = 0;
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function cache(maxBytes = 10 * 1024 ** 3): CloneCache {
  return new CloneCache({ root, ttlMs: 5 * 60_000, maxBytes, now: () => clock, logger });
}

/** Fills an entry with `bytes` of "pack" and completes it, as a successful push would. */
async function use(target: CloneCache, repo: string, bytes: number): Promise<void> {
  const lease = await target.lease('inst', repo, 'isomorphic-git');
  await mkdir(path.join(lease.gitdir, 'objects', 'pack'), { recursive: true });
  await writeFile(path.join(lease.gitdir, 'objects', 'pack', 'pack-1.pack'), Buffer.alloc(bytes));
  await lease.complete();
  await lease.release();
}

async function entryCount(): Promise<number> {
  return (await readdir(path.join(root, 'entries')).catch(() => [])).length;
}

describe('clone cache', () => {
  it('keeps an entry warm within 5 minutes of its last use and rebuilds it after', async () => {
    const target = cache();
    await use(target, 'P/a', 100);
    clock += 4 * 60_000;
    const warm = await target.lease('inst', 'P/a', 'isomorphic-git');
    expect(warm.cold).toBe(false);
    await warm.complete();
    await warm.release();
    clock += 4 * 60_000; // 8 minutes after creation, 4 after the last use: still warm
    const stillWarm = await target.lease('inst', 'P/a', 'isomorphic-git');
    expect(stillWarm.cold).toBe(false);
    await stillWarm.complete();
    await stillWarm.release();
    clock += 5 * 60_000 + 1;
    const expired = await target.lease('inst', 'P/a', 'isomorphic-git');
    expect(expired.cold).toBe(true);
    expect(expired.rebuiltBecause).toBe('expired');
    await expired.release();
  });

  it('deletes expired entries of other repositories when it cleans up', async () => {
    const target = cache();
    await use(target, 'P/old', 100);
    clock += 6 * 60_000;
    await use(target, 'P/new', 100);
    expect(await entryCount()).toBe(1);
    expect(logs.find((log) => log.message === 'clone cache entry evicted')?.fields).toMatchObject({
      repo: 'P/old',
      reason: 'expired',
    });
  });

  it('evicts the least recently used entries above the cap, never one in use, and logs sizes', async () => {
    const target = cache(2500);
    await use(target, 'P/a', 1000);
    clock += 1000;
    await use(target, 'P/b', 1000);
    clock += 1000;
    // a is the least recently used, but it is in use now.
    const held = await target.lease('inst', 'P/a', 'isomorphic-git');
    clock += 1000;
    await use(target, 'P/c', 1000);
    const remaining = (await target.list()).map((entry) => entry.meta?.repo ?? 'in-use');
    expect(remaining.sort()).toEqual(['P/c', 'in-use']);
    const eviction = logs.find((log) => log.message === 'clone cache entry evicted');
    expect(eviction?.fields).toMatchObject({ repo: 'P/b', reason: 'size-cap', maxBytes: 2500 });
    expect(Number(eviction?.fields?.['sizeBytes'])).toBeGreaterThanOrEqual(1000);
    await held.complete();
    await held.release();
    // Now a is the most recent and b is gone; c is older than a and goes next when d arrives.
    clock += 1000;
    await use(target, 'P/d', 1000);
    expect((await target.list()).map((entry) => entry.meta?.repo).sort()).toEqual(['P/a', 'P/d']);
  });

  it('rebuilds an entry left without its completion marker (a crash mid-fetch)', async () => {
    const target = cache();
    await use(target, 'P/a', 10);
    const lease = await target.lease('inst', 'P/a', 'isomorphic-git');
    await writeFile(path.join(lease.gitdir, 'objects', 'pack', 'pack-2.pack'), 'half a pack');
    // The fetch is interrupted: the lock goes, the completion marker never comes.
    await lease.release();
    const next = await target.lease('inst', 'P/a', 'isomorphic-git');
    expect(next.cold).toBe(true);
    // Either the clean-up after release already removed it, or the next lease finds it broken.
    expect(['broken', 'new']).toContain(next.rebuiltBecause);
    await expect(readdir(path.join(next.gitdir, 'objects', 'pack'))).rejects.toThrow();
    await next.release();
  });

  it('serialises leases of one repository and runs different repositories in parallel', async () => {
    const target = cache();
    const order: string[] = [];
    const first = await target.lease('inst', 'P/a', 'isomorphic-git');
    const second = target.lease('inst', 'P/a', 'git').then((lease) => {
      order.push('second');
      return lease;
    });
    const other = await target.lease('inst', 'P/other', 'isomorphic-git');
    order.push('other');
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push('first-release');
    await first.release();
    await (await second).release();
    await other.release();
    expect(order).toEqual(['other', 'first-release', 'second']);
  });
});
