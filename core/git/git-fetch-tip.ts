import path from 'node:path';
import { writeFileAtomicAsync } from '../io/atomic-write.js';
import { readBoundedFile } from '../io/bounded-file.js';
import type { EngineAttemptInput } from './engine-attempt.js';
import { gitPackSink } from './git-store-pack.js';
import type { SmartHttpClient } from './smart-http.js';
import { TRACKING_REF } from './tracking-ref.js';
import { fetchPack } from './upload-pack.js';

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
 * warm git cache with one upload-pack request over the companion's kept connection, instead of a
 * `git fetch` that would start its HTTPS helper and TLS session and list the refs again (two
 * round trips more). It asks for what `git fetch --depth=1` asks for — the tip, the cache's
 * shallow boundary, its tracking ref as the have — and stores the pack as git fetch does, then
 * records the new boundary in `shallow`. Returns false when the cache has no tracking ref to
 * offer (the caller then runs `git fetch`).
 */
export async function fetchKnownTip(
  client: SmartHttpClient,
  input: Pick<EngineAttemptInput, 'gitdir' | 'url' | 'userAgent' | 'scratchDir'>,
  env: Readonly<Record<string, string>>,
  tip: string,
): Promise<boolean> {
  const { gitdir } = input;
  const haves = await oidLines(path.join(gitdir, ...TRACKING_REF.split('/')));
  if (haves === undefined || haves.length === 0) return false;
  const shallowFile = path.join(gitdir, 'shallow');
  const shallow = (await oidLines(shallowFile)) ?? [];
  const sink = gitPackSink(gitdir, { cwd: input.scratchDir, env });
  let update;
  try {
    update = await fetchPack(
      client,
      input.url,
      { want: tip, haves, shallow, deepen: 1 },
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
