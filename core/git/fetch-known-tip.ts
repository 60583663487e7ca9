import path from 'node:path';
import { writeFileAtomicAsync } from '../io/atomic-write.js';
import { readBoundedFile } from '../io/bounded-file.js';
import type { EngineAttemptInput } from './engine-attempt.js';
import type { SmartHttpClient } from './smart-http.js';
import { TRACKING_REF } from './tracking-ref.js';
import { fetchPack, type PackSink } from './upload-pack.js';

/** Boundary commits offered as haves besides the tracking ref: the newest ones are what count. */
const MAX_BOUNDARY_HAVES = 64;

async function oidLines(file: string): Promise<string[] | undefined> {
  try {
    const text = (await readBoundedFile(file, 'internal')).toString('utf8');
    return text.split('\n').filter((line) => /^[0-9a-f]{40}$/.test(line));
  } catch (error) {
    if ((error as { code?: string }).code === 'FILE_READ_FAILED') {
      const cause = (error as { cause?: { code?: string } }).cause;
      if (cause?.code === 'ENOENT') return undefined;
    }
    throw error;
  }
}

/**
 * Brings a tip the companion already knows (from receive-pack's discovery or a refusal) into a
 * warm cache with one upload-pack request over the companion's kept connection, instead of a
 * fetch that would list the refs again (and, for `git fetch`, start its HTTPS helper and TLS
 * session). It asks for what a warm fetch asks for — the tip, the cache's shallow boundary (and
 * `deepen 1` for the git CLI engine, as `git fetch --depth=1`), its tracking ref as the have —
 * hands the pack to the engine's sink to store, then
 * records the new boundary in `shallow`. Returns false when the cache has no tracking ref to
 * offer (the caller then fetches its usual way).
 */
export async function fetchKnownTip(
  client: SmartHttpClient,
  input: Pick<EngineAttemptInput, 'gitdir' | 'url' | 'userAgent'>,
  tip: string,
  store: { readonly sink: () => PackSink; readonly thin: boolean; readonly deepen: boolean },
): Promise<boolean> {
  const { gitdir } = input;
  const tracked = await oidLines(path.join(gitdir, ...TRACKING_REF.split('/')));
  if (tracked === undefined || tracked.length === 0) return false;
  const shallowFile = path.join(gitdir, 'shallow');
  const shallow = (await oidLines(shallowFile)) ?? [];
  // The boundary commits are held too, and offered as haves: a shallow line names a commit whose
  // parents the server must not walk, so a have below a boundary commit would be unreachable and
  // the server would resend the whole tip tree (a clone that raced a push leaves the tracking
  // ref below the fetched tip).
  const haves = [...new Set([...tracked, ...shallow.slice(-MAX_BOUNDARY_HAVES)])];
  const sink = store.sink();
  let update;
  try {
    update = await fetchPack(
      client,
      input.url,
      { want: tip, haves, shallow, thin: store.thin, ...(store.deepen ? { deepen: 1 } : {}) },
      input.userAgent,
      (chunk) => sink.write(chunk),
    );
  } catch (error) {
    sink.abort();
    throw error;
  }
  await sink.end();
  const boundary = new Set([...shallow, ...update.shallow]);
  for (const oid of update.unshallow) boundary.delete(oid);
  await writeFileAtomicAsync(shallowFile, [...boundary].map((oid) => `${oid}\n`).join(''), {
    mode: 0o644,
    durable: false,
  });
  return true;
}
