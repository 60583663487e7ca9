import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { PushEngineName } from '../../common/models/push.js';
import type { Logger } from '../logging/logger.js';
import { writeFileAtomicAsync } from '../io/atomic-write.js';
import { silentLogger } from '../logging/logger.js';
import { acquireLock, type HeldLock } from './repository-lock.js';
import { readBoundedFile } from '../io/bounded-file.js';

export const DEFAULT_CACHE_TTL_MS = 5 * 60 * 1000;
export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 ** 3;
/** Beyond this many packs isomorphic-git slows down (every lookup scans every index): re-clone. */
const MAX_PACKS = 10;

export interface CloneCacheOptions {
  readonly root: string;
  readonly ttlMs?: number;
  readonly maxBytes?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly lockTimeoutMs?: number;
}

/** What `meta.json` holds; it is written last, so its presence means the entry is complete. */
export interface CacheEntryMeta {
  readonly repositoryKey: string;
  readonly instanceId: string;
  readonly repo: string;
  readonly engine: PushEngineName;
  readonly lastUsedAt: number;
  readonly sizeBytes: number;
}

export interface CacheLease {
  readonly gitdir: string;
  /** A scratch folder of this entry (git CLI HOME, CA bundle, temporary index). */
  readonly scratchDir: string;
  /** True when the entry is empty: the engine must clone rather than fetch. */
  cold: boolean;
  /** Why the entry was (re)built, for logs and tests. */
  readonly rebuiltBecause: 'new' | 'expired' | 'broken' | 'too-many-packs' | undefined;
  /** Throws the entry away (after a failure that may have left it inconsistent). */
  discard(): Promise<void>;
  /** Records a successful operation: measures the size and writes the completion marker. */
  complete(): Promise<void>;
  /** Releases the repository lock, then enforces expiry and the size cap. */
  release(): Promise<void>;
}

/** The OS cache folder for the clone cache: `$XDG_CACHE_HOME/bdc-companion/git` on Linux. */
export function defaultCacheRoot(env: Readonly<Record<string, string | undefined>>): string {
  if (process.platform === 'darwin')
    return path.join(homedir(), 'Library', 'Caches', 'bdc-companion', 'git');
  if (process.platform === 'win32') {
    return path.join(
      env['LOCALAPPDATA'] ?? path.join(homedir(), 'AppData', 'Local'),
      'bdc-companion',
      'Cache',
      'git',
    );
  }
  const xdg = env['XDG_CACHE_HOME'];
  return path.join(
    xdg !== undefined && xdg.startsWith('/') ? xdg : path.join(homedir(), '.cache'),
    'bdc-companion',
    'git',
  );
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

async function directorySize(directory: string): Promise<number> {
  let total = 0;
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else total += (await stat(full).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/**
 * The clone cache: one bare clone per instance + repository + engine (engines never share a
 * gitdir: git's maintenance files confuse isomorphic-git). Entries expire after `ttlMs` without
 * use; the total is kept under `maxBytes` by evicting the least recently used; an entry whose
 * repository lock is held is in use and never evicted. An entry without its completion marker
 * (a crash or `kill -9` mid-fetch) is rebuilt, never used.
 */
export class CloneCache {
  readonly root: string;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly lockTimeoutMs: number;

  constructor(options: CloneCacheOptions) {
    this.root = options.root;
    this.ttlMs = options.ttlMs ?? DEFAULT_CACHE_TTL_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10 * 60 * 1000;
  }

  private entryDir(repositoryKey: string, engine: PushEngineName): string {
    return path.join(this.root, 'entries', `${repositoryKey}-${engine}`);
  }

  private lockFile(repositoryKey: string): string {
    return path.join(this.root, 'locks', `${repositoryKey}.lock`);
  }

  /** Takes the repository lock (waiting for other pushes to it) and prepares the entry. */
  async lease(
    instanceId: string,
    repo: string,
    engine: PushEngineName,
    signal?: AbortSignal,
  ): Promise<CacheLease> {
    const repositoryKey = digest(instanceId, repo.toLowerCase());
    await mkdir(path.join(this.root, 'locks'), { recursive: true, mode: 0o700 });
    const lock = await acquireLock(this.lockFile(repositoryKey), {
      timeoutMs: this.lockTimeoutMs,
      ...(signal === undefined ? {} : { signal }),
    });
    try {
      return await this.prepare(lock, repositoryKey, instanceId, repo, engine);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private async prepare(
    lock: HeldLock,
    repositoryKey: string,
    instanceId: string,
    repo: string,
    engine: PushEngineName,
  ): Promise<CacheLease> {
    const directory = this.entryDir(repositoryKey, engine);
    const metaFile = path.join(directory, 'meta.json');
    const gitdir = path.join(directory, 'repo.git');
    const scratchDir = path.join(directory, 'scratch');
    const meta = await this.readMeta(metaFile);
    const exists = await stat(directory).then(
      () => true,
      () => false,
    );
    let rebuiltBecause: CacheLease['rebuiltBecause'];
    if (!exists) rebuiltBecause = 'new';
    else if (meta === undefined) rebuiltBecause = 'broken';
    else if (this.now() - meta.lastUsedAt > this.ttlMs) rebuiltBecause = 'expired';
    else if ((await this.packCount(gitdir)) > MAX_PACKS) rebuiltBecause = 'too-many-packs';
    if (rebuiltBecause !== undefined && exists) {
      this.logger.info('clone cache entry rebuilt', { repo, engine, reason: rebuiltBecause });
      await this.remove(directory);
    }
    await mkdir(scratchDir, { recursive: true, mode: 0o700 });
    // Until `complete()` rewrites it, the entry counts as broken: a crash from here on is safe.
    await rm(metaFile, { force: true });
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the lease object's methods close over the cache
    const cache = this;
    let released = false;
    const lease: CacheLease = {
      gitdir,
      scratchDir,
      cold: rebuiltBecause !== undefined,
      rebuiltBecause,
      async discard() {
        await cache.remove(directory);
        await mkdir(scratchDir, { recursive: true, mode: 0o700 });
        lease.cold = true;
      },
      async complete() {
        const sizeBytes = await directorySize(directory);
        const next: CacheEntryMeta = {
          repositoryKey,
          instanceId,
          repo,
          engine,
          lastUsedAt: cache.now(),
          sizeBytes,
        };
        await writeFileAtomicAsync(metaFile, JSON.stringify(next), { mode: 0o600 });
        lease.cold = false;
      },
      async release() {
        if (released) return;
        released = true;
        await lock.release();
        await cache.enforceLimits().catch((error: unknown) => {
          cache.logger.warn('clone cache cleanup failed', { error: (error as Error).message });
        });
      },
    };
    return lease;
  }

  private async readMeta(file: string): Promise<CacheEntryMeta | undefined> {
    try {
      return JSON.parse(
        (await readBoundedFile(file, 'internal')).toString('utf8'),
      ) as CacheEntryMeta;
    } catch {
      return undefined;
    }
  }

  private async packCount(gitdir: string): Promise<number> {
    const names = await readdir(path.join(gitdir, 'objects', 'pack')).catch(() => [] as string[]);
    return names.filter((name) => name.endsWith('.pack')).length;
  }

  /** Moves the folder aside first (atomic), so a half-deleted entry is never mistaken for one. */
  private async remove(directory: string): Promise<void> {
    const trash = path.join(this.root, 'trash');
    await mkdir(trash, { recursive: true, mode: 0o700 });
    const aside = path.join(
      trash,
      `${path.basename(directory)}-${this.now()}-${Math.random().toString(36).slice(2)}`,
    );
    try {
      await rename(directory, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await rm(aside, { recursive: true, force: true, maxRetries: 5 });
  }

  /** Every entry with its size and state, for eviction and for the UI. */
  async list(): Promise<
    {
      readonly directory: string;
      readonly repositoryKey: string;
      readonly meta: CacheEntryMeta | undefined;
      readonly sizeBytes: number;
    }[]
  > {
    const entriesRoot = path.join(this.root, 'entries');
    const names = await readdir(entriesRoot).catch(() => [] as string[]);
    const result = [];
    for (const name of names) {
      const directory = path.join(entriesRoot, name);
      const meta = await this.readMeta(path.join(directory, 'meta.json'));
      const sizeBytes = meta?.sizeBytes ?? (await directorySize(directory));
      result.push({ directory, repositoryKey: name.slice(0, 32), meta, sizeBytes });
    }
    return result;
  }

  /**
   * Removes expired entries and then least-recently-used ones until the total fits. Entries whose
   * repository lock is taken (in use, here or in another process) are skipped, never waited for.
   */
  async enforceLimits(): Promise<readonly string[]> {
    const entries = await this.list();
    await rm(path.join(this.root, 'trash'), { recursive: true, force: true });
    let total = entries.reduce((sum, entry) => sum + entry.sizeBytes, 0);
    const now = this.now();
    const evicted: string[] = [];
    const order = [...entries].sort(
      (a, b) => (a.meta?.lastUsedAt ?? -1) - (b.meta?.lastUsedAt ?? -1),
    );
    for (const entry of order) {
      const expired = entry.meta === undefined || now - entry.meta.lastUsedAt > this.ttlMs;
      if (!expired && total <= this.maxBytes) continue;
      let lock: HeldLock;
      try {
        lock = await acquireLock(this.lockFile(entry.repositoryKey), { timeoutMs: 0, pollMs: 1 });
      } catch {
        continue; // in use
      }
      try {
        // Re-read under the lock: the owner may have completed or refreshed it meanwhile.
        const meta = await this.readMeta(path.join(entry.directory, 'meta.json'));
        const stillExpired = meta === undefined || now - meta.lastUsedAt > this.ttlMs;
        if (!stillExpired && total <= this.maxBytes) continue;
        await this.remove(entry.directory);
        total -= entry.sizeBytes;
        evicted.push(entry.directory);
        this.logger.info('clone cache entry evicted', {
          repo: meta?.repo ?? entry.meta?.repo,
          engine: meta?.engine ?? entry.meta?.engine,
          sizeBytes: entry.sizeBytes,
          reason: stillExpired ? (meta === undefined ? 'broken' : 'expired') : 'size-cap',
          totalBytes: total,
          maxBytes: this.maxBytes,
        });
      } finally {
        await lock.release();
      }
    }
    return evicted;
  }
}
