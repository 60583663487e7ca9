import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { CompanionError } from '../../common/errors/companion-error.js';
import { DEFAULT_CACHE_MAX_BYTES } from './clone-cache.js';
import { spawnGit } from './git-process.js';
import { failure } from './push-failure.js';
import type { PackSink } from './upload-pack.js';

/** git fetch's own default (`fetch.unpackLimit`): fewer objects are stored loose, more as a pack. */
const UNPACK_LIMIT = 100;

/**
 * The most one fetch may write into a cache: the clone cache's default cap on all entries
 * together (docs/push-engine-choice.md). A moved branch's pack is what another writer added since
 * the companion's last push; one larger than the whole cache is refused rather than written to
 * disk without end.
 */
export const MAX_GIT_FETCHED_PACK_BYTES = DEFAULT_CACHE_MAX_BYTES;

/**
 * Stores a fetched pack in a cache as `git fetch` would: a small one (fewer than 100 objects)
 * unpacked into loose objects, a larger one kept as a pack with its index — so the cache does not
 * gather a pack per push. Both complete a thin pack's deltas from objects the cache holds. The
 * pack streams into git's stdin as it arrives.
 */
export function gitPackSink(
  gitdir: string,
  options: {
    readonly cwd: string;
    readonly env: Readonly<Record<string, string>>;
    /** MAX_GIT_FETCHED_PACK_BYTES unless given (tests). */
    readonly maxBytes?: number;
  },
): PackSink {
  const maxBytes = options.maxBytes ?? MAX_GIT_FETCHED_PACK_BYTES;
  let received = 0;
  let header = Buffer.alloc(0);
  let child: ChildProcessWithoutNullStreams | undefined;
  let exited: Promise<void> | undefined;
  let closed = false;
  const waiting: (() => void)[] = [];
  const start = (objects: number): ChildProcessWithoutNullStreams => {
    const args =
      objects < UNPACK_LIMIT
        ? ['--git-dir', gitdir, 'unpack-objects', '-q']
        : ['--git-dir', gitdir, 'index-pack', '--stdin', '--fix-thin'];
    const started = spawnGit(args, options);
    let stderr = '';
    started.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    started.stdout.resume();
    started.stdin.on('error', () => undefined);
    exited = new Promise((resolve, reject) => {
      started.on('error', reject);
      started.on('close', (code) => {
        closed = true;
        for (const wake of waiting.splice(0)) wake();
        if (code === 0) resolve();
        else {
          reject(
            new CompanionError(
              'GIT_ENGINE_FAILED',
              `git ${args[2]} could not store the fetched pack: ${stderr.trim().slice(0, 2000)}`,
            ),
          );
        }
      });
    });
    // Reported through `end()`; a failure before that must not be unhandled.
    exited.catch(() => undefined);
    return started;
  };
  const send = async (git: ChildProcessWithoutNullStreams, chunk: Buffer): Promise<void> => {
    // A git that exited early is reported by end(); never wait on it here.
    if (closed || git.stdin.write(chunk)) return;
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      git.stdin.once('drain', resolve);
    });
  };
  return {
    async write(chunk) {
      received += chunk.length;
      if (received > maxBytes) {
        child?.kill();
        throw failure(
          'fatal',
          'PUSH_PROTOCOL_FAILED',
          `The fetched pack is larger than ${maxBytes} bytes, more than the clone cache may hold.`,
        );
      }
      if (child === undefined) {
        header = Buffer.concat([header, chunk]);
        if (header.length < 12) return;
        child = start(header.readUInt32BE(8));
        const first = header;
        header = Buffer.alloc(0);
        await send(child, first);
        return;
      }
      await send(child, chunk);
    },
    async end() {
      if (child === undefined) {
        throw new CompanionError('GIT_ENGINE_FAILED', 'The fetched pack ended before its header.');
      }
      child.stdin.end();
      await exited;
    },
    abort() {
      child?.kill();
    },
  };
}
