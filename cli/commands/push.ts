import { CompanionError } from '../../common/errors/companion-error.js';
import type {
  PushChange,
  PushEngineChoice,
  PushProgress,
  PushResult,
} from '../../common/models/push.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { openPushEngine } from '../../core/use-cases/push-engine.js';
import { FILE_LIMITS, readBoundedFile } from '../../core/io/bounded-file.js';
import { readBounded } from '../../core/io/bounded-read.js';
import { parseAuthor, pushForInstallation } from '../../core/use-cases/push-for-installation.js';
import type { Command, CommandContext } from '../command.js';
import { formatRows } from '../output.js';

const ENGINES: readonly PushEngineChoice[] = ['auto', 'isomorphic-git', 'git'];

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function required(context: CommandContext, flag: string): string {
  const value = context.flags[flag];
  if (typeof value !== 'string' || value === '') {
    throw new CompanionError('USAGE_INVALID', `--${flag} is required.`);
  }
  return value;
}

/** Standard input as one pushed file, under the same per-file limit as a named file. */
function readStdin(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  return readBounded(
    stream as AsyncIterable<Uint8Array | string>,
    FILE_LIMITS.pushedFile,
    () =>
      new CompanionError(
        'FILE_READ_FAILED',
        `Standard input is larger than ${FILE_LIMITS.pushedFile / (1024 * 1024)} MiB, the limit for one pushed file.`,
        { data: { kind: 'pushedFile', reason: 'too large' } },
      ),
  );
}

/** `--put PATH=LOCALFILE` (`-` reads stdin, once) and `--delete PATH` → changes. */
export async function collectChanges(context: CommandContext): Promise<PushChange[]> {
  const changes: PushChange[] = [];
  let stdinUsed = false;
  for (const spec of list(context.flags['put'])) {
    const equals = spec.indexOf('=');
    if (equals <= 0 || equals === spec.length - 1) {
      throw new CompanionError('USAGE_INVALID', `--put needs PATH=LOCALFILE, not "${spec}".`);
    }
    const path = spec.slice(0, equals);
    const source = spec.slice(equals + 1);
    let content: Uint8Array;
    if (source === '-') {
      if (stdinUsed)
        throw new CompanionError('USAGE_INVALID', 'Only one --put can read standard input (-).');
      stdinUsed = true;
      content = await readStdin(context.io.stdin);
    } else {
      content = await readBoundedFile(source, 'pushedFile');
    }
    changes.push({ path, content });
  }
  for (const path of list(context.flags['delete'])) changes.push({ path, kind: 'delete' });
  if (changes.length === 0)
    throw new CompanionError('USAGE_INVALID', 'Give at least one --put or --delete.');
  return changes;
}

/** One line of progress on a TTY, rewritten in place; silent otherwise (stderr of scripts stays clean). */
function progressPrinter(
  context: CommandContext,
): ((progress: PushProgress) => void) & { end(): void } {
  const tty = context.io.stderr.isTTY === true && !context.json;
  let drawn = false;
  const print = (progress: PushProgress): void => {
    if (!tty) return;
    const width = 24;
    const fraction =
      progress.total !== undefined && progress.total > 0 && progress.done !== undefined
        ? Math.min(1, progress.done / progress.total)
        : undefined;
    const bar =
      fraction === undefined
        ? ''.padEnd(width, '·')
        : '#'.repeat(Math.round(fraction * width)).padEnd(width, '·');
    const counts = progress.total !== undefined ? ` ${progress.done ?? 0}/${progress.total}` : '';
    const attempt = progress.attempt > 1 ? ` (attempt ${progress.attempt})` : '';
    context.io.stderr.write(`\r\u001b[2K${progress.phase.padEnd(6)} [${bar}]${counts}${attempt}`);
    drawn = true;
  };
  return Object.assign(print, {
    end() {
      if (drawn) context.io.stderr.write('\r\u001b[2K');
    },
  });
}

function resultData(result: PushResult): Record<string, unknown> {
  if (result.kind === 'noop') {
    return {
      noop: true,
      parent: result.parent,
      engine: result.engine,
      attempts: result.attempts,
      durationMs: result.durationMs,
    };
  }
  return {
    commit: result.commit,
    parent: result.parent,
    engine: result.engine,
    attempts: result.attempts,
    durationMs: result.durationMs,
    changed: result.changed,
  };
}

/** `push <name> --repo P/slug --branch B --message M …`: one atomic commit. */
export const pushCommand: Command = {
  path: ['push'],
  summary: 'push one atomic commit of many files to a branch (never forced)',
  args: '<name>',
  minPositionals: 1,
  maxPositionals: 1,
  options: {
    repo: { type: 'string' },
    branch: { type: 'string' },
    message: { type: 'string' },
    author: { type: 'string' },
    put: { type: 'string', multiple: true },
    delete: { type: 'string', multiple: true },
    engine: { type: 'string' },
    'create-from': { type: 'string' },
  },
  optionHelp: [
    ['--repo PROJECT/slug', 'the repository'],
    ['--branch B', 'the branch to commit to'],
    ['--message M', 'the commit message'],
    ['--author "Name <email>"', 'author (default: the signed-in user)'],
    [
      '--put PATH=LOCALFILE',
      "add or replace PATH with LOCALFILE's bytes (`-` reads stdin); repeatable",
    ],
    ['--delete PATH', 'delete PATH; repeatable'],
    [
      '--engine auto|isomorphic-git|git',
      'force an engine (default auto: git above BITBUCKET_DC_GIT_FALLBACK_THRESHOLD_MB)',
    ],
    ['--create-from BRANCH', 'create the branch from BRANCH when it does not exist'],
  ],
  async run(context) {
    const name = context.positionals[0] as string;
    const engineChoice = (context.flags['engine'] ?? 'auto') as PushEngineChoice;
    if (!ENGINES.includes(engineChoice)) {
      throw new CompanionError('USAGE_INVALID', `--engine must be one of ${ENGINES.join(', ')}.`);
    }
    const repo = required(context, 'repo');
    const branch = required(context, 'branch');
    const message = required(context, 'message');
    const authorText = context.flags['author'];
    const createFrom = context.flags['create-from'];
    const changes = await collectChanges(context);

    const ports = openLocalPorts(context.home, context.io.env);
    const progress = progressPrinter(context);
    let engine: ReturnType<typeof openPushEngine> | undefined;
    try {
      engine = openPushEngine({
        database: ports.database(),
        settings: ports.settings,
        env: ports.env,
        logger: context.logger,
        engineThread: 'inline',
      });
      const { result } = await pushForInstallation(
        {
          settings: ports.settings,
          secretStore: ports.secretStore,
          engine,
          env: ports.env,
          logger: context.logger,
        },
        {
          installation: name,
          request: {
            repo,
            branch,
            message,
            changes,
            engine: engineChoice,
            ...(typeof authorText === 'string' ? { author: parseAuthor(authorText) } : {}),
            ...(typeof createFrom === 'string' ? { createFrom } : {}),
          },
          onProgress: progress,
          signal: context.io.stopSignal,
        },
      );
      progress.end();
      const data = resultData(result);
      context.output.success(data, () =>
        result.kind === 'noop'
          ? `Nothing to commit: ${branch} already has these contents (at ${result.parent.slice(0, 12)}).`
          : formatRows([
              ['commit', result.commit],
              ['parent', result.parent],
              ['changed', `${result.changed} file(s)`],
              ['engine', result.engine],
              ['attempts', String(result.attempts)],
              ['duration', `${result.durationMs} ms`],
            ]),
      );
    } finally {
      progress.end();
      await engine?.close();
      ports.close();
    }
  },
};
