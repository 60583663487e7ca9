import fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as IsomorphicGit from 'isomorphic-git';
import type { Dispatcher } from 'undici';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { PushChangeKind } from '../../common/models/push.js';
import { planChanges } from './change-plan.js';
import { buildChangeSet } from './change-set.js';
import {
  type EngineAttemptInput,
  type EngineAttemptResult,
  type ProgressSink,
} from './engine-attempt.js';
import { parseTree } from './git-objects.js';
import { commitObjects } from './commit-objects.js';
import { isoHttpClient } from './iso-http.js';
import { classifyTransportError, failure } from './push-failure.js';
import { cloneWithGit } from './git-clone.js';
import { TRACKING_REF, updateTrackingRef } from './tracking-ref.js';
import { sendCommit } from './send-commit.js';
import { smartHttpDispatcher } from './smart-http-dispatchers.js';
import { fetchKnownTip } from './fetch-known-tip.js';
import type { PackSink } from './upload-pack.js';
import { writeFileAtomicAsync } from '../io/atomic-write.js';
import { discoverExpectedBranch, tipMoved } from './expected-tip.js';

/**
 * isomorphic-git through `require`, not `import`: importing a CommonJS package from an ES module
 * makes Node scan its whole 600 KB `index.cjs` for export names (cjs-module-lexer), about 190 ms
 * of a one-shot push's CPU in a profile (bench/RESULTS.md); `require` compiles it without the scan.
 */
// (`import.meta.url` is empty in the CommonJS bundle of the desktop's main process.)
const git = createRequire((import.meta.url as string | undefined) ?? __filename)(
  'isomorphic-git',
) as typeof IsomorphicGit;

/**
 * isomorphic-git's pack cache per gitdir, kept between attempts and pushes for a short while:
 * reading the first object of a pack loads and verifies the whole pack, which would otherwise be
 * paid on every push. Packs never change once written; a rebuilt (cold) entry starts afresh, and
 * an idle cache is dropped so a large pack does not stay in memory.
 */
const packCaches = new Map<string, { cache: object; timer: NodeJS.Timeout }>();
const PACK_CACHE_IDLE_MS = 60_000;
/** Pack caches kept at once: the repositories being pushed to right now, not every one seen. */
const PACK_CACHE_ENTRIES = 2;

function packCacheFor(gitdir: string, cold: boolean): object {
  const existing = packCaches.get(gitdir);
  if (existing !== undefined) clearTimeout(existing.timer);
  const cache = cold || existing === undefined ? {} : existing.cache;
  const timer = setTimeout(() => packCaches.delete(gitdir), PACK_CACHE_IDLE_MS);
  timer.unref();
  packCaches.delete(gitdir);
  packCaches.set(gitdir, { cache, timer });
  for (const [key, entry] of packCaches) {
    if (packCaches.size <= PACK_CACHE_ENTRIES) break;
    clearTimeout(entry.timer);
    packCaches.delete(key);
  }
  return cache;
}

/**
 * The isomorphic-git engine: a bare gitdir, no working tree, no index. It sends its own
 * receive-pack request because the objects a commit adds are known exactly (the commit, the
 * rewritten trees, the new blobs): isomorphic-git's `push` would walk the whole base tree to find
 * them, which costs seconds on large repositories.
 */
export async function runIsoAttempt(
  input: EngineAttemptInput,
  progress: ProgressSink,
): Promise<EngineAttemptResult> {
  const leased = smartHttpDispatcher(input.network);
  try {
    return await attemptWith(leased.dispatcher, input, progress);
  } finally {
    await leased.release();
  }
}

async function attemptWith(
  dispatcher: Dispatcher,
  input: EngineAttemptInput,
  progress: ProgressSink,
): Promise<EngineAttemptResult> {
  const { gitdir, branch, url } = input;
  const attempt = input.attempt;
  const cache = packCacheFor(gitdir, input.cold);
  const headers = { authorization: input.authorization, 'user-agent': input.userAgent };
  const client = { dispatcher, headers };
  const { root } = buildChangeSet(input.changes);

  let sourceBranch = branch;
  let remoteTip: string | undefined;
  const expected = input.expectedBase;
  // After a lost race the branch exists and the credential may write: the refusal's tip, when it
  // named one, is built on as is; otherwise the incremental fetch reads the newest tip itself.
  const retrying =
    input.afterConflict === true &&
    !input.cold &&
    input.createFrom === undefined &&
    expected === undefined;
  if (retrying) {
    remoteTip = input.knownTip;
  } else {
    progress({ phase: 'fetch', attempt, detail: 'discover' });
    const discovered = await discoverExpectedBranch(
      client,
      url,
      branch,
      input.createFrom,
      expected,
    );
    remoteTip = discovered.tip;
    sourceBranch = discovered.sourceBranch;
  }
  const creating = sourceBranch !== branch;

  let clonedWithGit = false;
  if (input.cold && input.coldCloneWithGit === true && remoteTip !== undefined) {
    // git fetches and indexes the first (large) pack in C: several times faster and lighter
    // than isomorphic-git's JavaScript indexing. Without a usable git, isomorphic-git clones.
    progress({ phase: 'fetch', attempt, detail: 'clone (git)' });
    clonedWithGit = await cloneWithGit(input, sourceBranch).then(
      () => true,
      (error: unknown) => {
        if ((error as { code?: string }).code === 'GIT_UNAVAILABLE') return false;
        throw error;
      },
    );
  }
  if (input.cold) {
    if (!clonedWithGit) await git.init({ fs, gitdir, bare: true, defaultBranch: branch });
    await git
      .addRemote({ fs, gitdir, remote: 'origin', url, force: false })
      .catch((error: unknown) => {
        if ((error as { code?: string }).code !== 'AlreadyExistsError') throw error;
      });
  }

  let base: string | undefined;
  const held = remoteTip !== undefined && (await hasObject(gitdir, remoteTip, cache));
  const fetchedBase = !held;
  if (held) {
    base = remoteTip;
  } else if (remoteTip !== undefined && !input.cold) {
    // The branch moved and its tip is known: one upload-pack request brings it (no ref listing).
    progress({ phase: 'fetch', attempt });
    const fetched = await fetchKnownTip(client, input, remoteTip, {
      sink: () => isoPackSink(gitdir, cache),
      // As isomorphic-git's own warm fetch: no deepen, which without thin deltas would resend
      // the whole tip tree; the haves bound the answer.
      thin: false,
      deepen: false,
    });
    if (fetched && (await hasObject(gitdir, remoteTip, cache))) base = remoteTip;
  }
  if (base === undefined) {
    try {
      const fetched = await git.fetch({
        fs,
        http: isoHttpClient(dispatcher),
        gitdir,
        url,
        remote: 'origin',
        // With singleBranch, isomorphic-git offers as `have` only the local ref named by `ref`.
        // The cache's tip lives in the tracking ref: naming the branch (which a bare cache does
        // not have) would offer nothing, and the server would resend the whole tip tree on every
        // fetch after someone else pushed.
        ref: TRACKING_REF,
        remoteRef: sourceBranch,
        singleBranch: true,
        tags: false,
        headers,
        cache,
        // Warm caches fetch without depth: isomorphic-git never asks for thin packs, so a
        // deepen request would make the server resend the whole tip tree every time.
        ...(input.cold ? { depth: 1 } : {}),
        onProgress: (event) => {
          progress({
            phase: 'fetch',
            attempt,
            done: event.loaded,
            total: event.total,
            detail: event.phase,
          });
        },
      });
      if (fetched.fetchHead === null) {
        if (expected !== undefined) throw tipMoved(branch, expected, 'missing');
        throw failure(
          'fatal',
          'BRANCH_NOT_FOUND',
          `Branch "${sourceBranch}" does not exist in the repository.`,
        );
      }
      // The branch may have moved since discovery; build on the newest tip we hold — unless
      // the push must land on exactly the expected tip.
      if (expected !== undefined && fetched.fetchHead !== expected) {
        throw tipMoved(branch, expected, fetched.fetchHead);
      }
      base = fetched.fetchHead;
    } catch (error) {
      throw classifyTransportError(error, `${url} (fetch)`);
    }
  }

  // A fetched tip is the next fetch's have, also when this attempt's send is refused: a have
  // below the fetch's shallow boundary would make the server resend the whole tip tree.
  if (fetchedBase) await updateTrackingRef(gitdir, base);
  progress({ phase: 'build', attempt, done: 0, total: input.changes.length });
  const baseCommit = await git.readCommit({ fs, gitdir, oid: base, cache });
  // Trees are read raw and parsed here, as the git CLI engine does: isomorphic-git's own parser
  // throws on a name it deems unsafe, and planChanges refuses those names with a clear code.
  const plan = await planChanges(baseCommit.commit.tree, root, async (oid) => {
    const { object, type } = await git.readObject({ fs, gitdir, oid, format: 'content', cache });
    if (type !== 'tree' || !(object instanceof Uint8Array)) {
      throw new CompanionError('GIT_ENGINE_FAILED', `Object ${oid} of the base is not a tree.`);
    }
    return parseTree(object);
  });
  if (plan.files.length === 0) {
    await updateTrackingRef(gitdir, base);
    return { kind: 'noop', parent: base };
  }
  // The new objects are built in memory (blobs, the rewritten folders, the commit) and sent as
  // one pack of exactly those; they are also stored loose so the cache holds the new tip.
  const { objects, commit } = commitObjects(plan, base, input);
  progress({ phase: 'build', attempt, done: plan.files.length, total: plan.files.length });
  if (await sendCommit(client, input, { base, creating, objects, commit }, progress)) {
    await updateTrackingRef(gitdir, commit);
  }
  return {
    kind: 'committed',
    commit,
    parent: base,
    paths: plan.files.map((file) => ({ path: file.path, kind: file.action as PushChangeKind })),
  };
}

/** The most of one fetched pack held in memory: far above a repository this engine is chosen for. */
const MAX_FETCHED_PACK_BYTES = 1024 * 1024 * 1024;

/**
 * Stores a fetched pack for isomorphic-git: the pack under its checksum's name and its index,
 * as isomorphic-git's own fetch does (the pack is not thin, so every delta's base is in it).
 */
function isoPackSink(gitdir: string, cache: object): PackSink {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    async write(chunk) {
      size += chunk.length;
      if (size > MAX_FETCHED_PACK_BYTES) {
        throw failure('fatal', 'PUSH_PROTOCOL_FAILED', 'The fetched pack is larger than 1 GiB.');
      }
      chunks.push(chunk);
    },
    async end() {
      const pack = Buffer.concat(chunks);
      if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK') {
        throw failure('fatal', 'PUSH_PROTOCOL_FAILED', 'The fetched data is not a Git pack.');
      }
      const relative = `objects/pack/pack-${pack.subarray(pack.length - 20).toString('hex')}.pack`;
      await mkdir(path.join(gitdir, 'objects', 'pack'), { recursive: true });
      await writeFileAtomicAsync(path.join(gitdir, relative), pack, {
        mode: 0o444,
        durable: false,
      });
      await git.indexPack({ fs, dir: gitdir, gitdir, filepath: relative, cache });
    },
    abort() {
      chunks.length = 0;
    },
  };
}

async function hasObject(gitdir: string, oid: string, cache: object): Promise<boolean> {
  try {
    await git.readCommit({ fs, gitdir, oid, cache });
    return true;
  } catch {
    return false;
  }
}
