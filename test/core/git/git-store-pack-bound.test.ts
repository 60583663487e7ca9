import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitPackSink } from '../../../core/git/git-store-pack.js';

// Every input is bounded: the pack a moved branch brings streams into git as it arrives, and a
// pack larger than the bound is refused before git has stored more than that (the real git).

const scratch = mkdtempSync(path.join(tmpdir(), 'store-pack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const env = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  GIT_AUTHOR_NAME: 'Pack Test',
  GIT_AUTHOR_EMAIL: 'pack@example.test',
  GIT_COMMITTER_NAME: 'Pack Test',
  GIT_COMMITTER_EMAIL: 'pack@example.test',
};
const git = (args: string[], input?: string): Buffer =>
  execFileSync('git', args, { env, ...(input === undefined ? {} : { input }) });

/** A real pack of one commit with `files` files, and that commit's id. */
function makePack(files: number): { pack: Buffer; commit: string } {
  const work = mkdtempSync(path.join(scratch, 'work-'));
  git(['init', '-q', work]);
  for (let index = 0; index < files; index += 1) {
    writeFileSync(path.join(work, `file-${index}.txt`), `content ${index}\n`.repeat(50));
  }
  git(['-C', work, 'add', '.']);
  git(['-C', work, 'commit', '-q', '-m', 'pack test']);
  const commit = git(['-C', work, 'rev-parse', 'HEAD']).toString().trim();
  const pack = git(['-C', work, 'pack-objects', '--revs', '--stdout', '-q'], 'HEAD\n');
  return { pack, commit };
}

async function store(pack: Buffer, maxBytes: number): Promise<{ gitdir: string; error?: unknown }> {
  const gitdir = mkdtempSync(path.join(scratch, 'cache-'));
  git(['init', '-q', '--bare', gitdir]);
  const sink = gitPackSink(gitdir, { cwd: scratch, env, maxBytes });
  try {
    for (let offset = 0; offset < pack.length; offset += 4096) {
      await sink.write(pack.subarray(offset, offset + 4096));
    }
    await sink.end();
    return { gitdir };
  } catch (error) {
    sink.abort();
    return { gitdir, error };
  }
}

const has = (gitdir: string, oid: string): boolean => {
  try {
    git(['--git-dir', gitdir, 'cat-file', '-e', oid]);
    return true;
  } catch {
    return false;
  }
};

describe.each([
  ['unpack-objects', 5],
  ['index-pack', 150],
])('a fetched pack stored through git %s', (_, files) => {
  const { pack, commit } = makePack(files);

  it('is stored when it is within the bound', async () => {
    const { gitdir, error } = await store(pack, pack.length);
    expect(error).toBeUndefined();
    expect(has(gitdir, commit)).toBe(true);
  });

  it('is refused with PUSH_PROTOCOL_FAILED one byte over the bound, and not stored', async () => {
    const { gitdir, error } = await store(pack, pack.length - 1);
    expect((error as { error?: { code?: string } }).error?.code).toBe('PUSH_PROTOCOL_FAILED');
    expect(has(gitdir, commit)).toBe(false);
  });
});
