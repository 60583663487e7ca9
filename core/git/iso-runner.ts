import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { ErrorCode } from '../../common/errors/catalogue.js';
import { isErrorCode } from '../../common/errors/catalogue.js';
import type { EngineAttemptInput, EngineAttemptResult, ProgressSink } from './engine-attempt.js';
import type { WorkerReply, WorkerRequest } from './iso-worker-protocol.js';
import { AttemptFailure } from './push-failure.js';
import type * as IsoEngine from './iso-engine.js';

type IsoEngineModule = typeof IsoEngine;

export type IsoAttemptRunner = ((
  input: EngineAttemptInput,
  progress: ProgressSink,
) => Promise<EngineAttemptResult>) & {
  close(): Promise<void>;
  /** Attempts run on the calling thread, so they share its connections (`smartHttpDispatcher`). */
  readonly inThread?: boolean;
  /** Starts loading the engine now (while a request is in flight), so the first attempt need not. */
  prepare?(): void;
};

function moduleUrl(): string | undefined {
  try {
    return import.meta.url;
  } catch {
    return undefined;
  }
}

/**
 * Where the worker's code is: the bundled `dist/core/iso-worker.js` next to the running bundle,
 * or, when running from source (Vitest, tsx), the TypeScript file loaded through tsx.
 */
export function locateWorker(explicit?: string): {
  readonly file: string;
  readonly typescript: boolean;
} {
  if (explicit !== undefined) return { file: explicit, typescript: explicit.endsWith('.ts') };
  const here = moduleUrl();
  if (here === undefined)
    throw new CompanionError('GIT_ENGINE_FAILED', 'Cannot locate the isomorphic-git worker.');
  const directory = path.dirname(fileURLToPath(here));
  for (const candidate of ['iso-worker.js', '../core/iso-worker.js', 'core/iso-worker.js']) {
    const file = path.resolve(directory, candidate);
    if (existsSync(file)) return { file, typescript: false };
  }
  const source = path.resolve(directory, 'iso-worker.ts');
  if (existsSync(source)) return { file: source, typescript: true };
  throw new CompanionError(
    'GIT_ENGINE_FAILED',
    'Cannot locate the isomorphic-git worker (run `npm run build`).',
  );
}

function startWorker(location: { readonly file: string; readonly typescript: boolean }): Worker {
  if (!location.typescript) return new Worker(location.file);
  // From source: tsx compiles the worker and its imports inside the thread.
  const tsxRoot = path.dirname(
    createRequire(moduleUrl() ?? pathToFileURL(location.file).href).resolve('tsx/package.json'),
  );
  const api = pathToFileURL(path.join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const target = pathToFileURL(location.file).href;
  const bootstrap = `const { tsImport } = await import(${JSON.stringify(api)}); await tsImport(${JSON.stringify(target)}, ${JSON.stringify(target)});`;
  return new Worker(bootstrap, { eval: true });
}

/**
 * Runs isomorphic-git attempts in one worker thread (started on first use, unreferenced while
 * idle so it never keeps a CLI process alive). `inThread` runs them on the calling thread instead:
 * for one-shot processes (the CLI's `push`) and for tests that observe the engine directly.
 */
export function createIsoRunner(
  options: { readonly inThread?: boolean; readonly workerFile?: string } = {},
): IsoAttemptRunner {
  if (options.inThread === true) {
    let engine: Promise<IsoEngineModule> | undefined;
    const load = (): Promise<IsoEngineModule> => (engine ??= import('./iso-engine.js'));
    const run = async (
      input: EngineAttemptInput,
      progress: ProgressSink,
    ): Promise<EngineAttemptResult> => (await load()).runIsoAttempt(input, progress);
    return Object.assign(run, {
      inThread: true,
      prepare() {
        load().catch(() => undefined);
      },
      async close() {
        const { closeSmartHttpDispatchers } = await import('./smart-http-dispatchers.js');
        await closeSmartHttpDispatchers();
      },
    });
  }
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<
    number,
    {
      resolve: (result: EngineAttemptResult) => void;
      reject: (error: unknown) => void;
      progress: ProgressSink;
    }
  >();

  const failAll = (error: unknown): void => {
    for (const job of pending.values()) job.reject(error);
    pending.clear();
    worker = undefined;
  };

  const ensureWorker = (): Worker => {
    if (worker !== undefined) return worker;
    const started = startWorker(locateWorker(options.workerFile));
    started.on('message', (reply: WorkerReply) => {
      const job = pending.get(reply.id);
      if (job === undefined) return;
      if (reply.kind === 'progress') {
        job.progress(reply.progress);
        return;
      }
      pending.delete(reply.id);
      if (pending.size === 0) started.unref();
      if (reply.kind === 'result') job.resolve(reply.result);
      else {
        const code: ErrorCode = isErrorCode(reply.error.code)
          ? reply.error.code
          : 'GIT_ENGINE_FAILED';
        job.reject(
          new AttemptFailure(
            reply.error.retry,
            new CompanionError(
              code,
              reply.error.message,
              reply.error.data === undefined ? {} : { data: reply.error.data },
            ),
          ),
        );
      }
    });
    started.on('error', (error) =>
      failAll(
        new AttemptFailure(
          'fatal',
          new CompanionError(
            'GIT_ENGINE_FAILED',
            `The isomorphic-git worker failed: ${error.message}`,
          ),
        ),
      ),
    );
    started.on('exit', (code) => {
      if (pending.size > 0) {
        failAll(
          new AttemptFailure(
            'fatal',
            new CompanionError('GIT_ENGINE_FAILED', `The isomorphic-git worker exited (${code}).`),
          ),
        );
      }
      worker = undefined;
    });
    worker = started;
    return started;
  };

  const run = (input: EngineAttemptInput, progress: ProgressSink): Promise<EngineAttemptResult> =>
    new Promise((resolve, reject) => {
      const active = ensureWorker();
      const id = nextId++;
      pending.set(id, { resolve, reject, progress });
      active.ref();
      const request: WorkerRequest = { id, input };
      active.postMessage(request);
    });
  return Object.assign(run, {
    async close() {
      const active = worker;
      worker = undefined;
      if (active !== undefined) await active.terminate();
    },
  });
}
