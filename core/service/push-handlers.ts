import type { Database } from 'better-sqlite3';
import type { HistoryQuery, PushOutcome, TestPushRequest } from '../../common/api/models.js';
import type { PushChange } from '../../common/models/push.js';
import type { PushService } from '../git/push-service.js';
import { listPushHistory, withCommitLink } from '../use-cases/list-push-history.js';
import { openPushEngine } from '../use-cases/push-engine.js';
import { pushForInstallation } from '../use-cases/push-for-installation.js';
import type { OperationHandlers } from './companion-service.js';
import { pushProgressEmitter } from './push-progress-events.js';
import type { ServicePorts } from './service-ports.js';

export interface PushHandlers {
  readonly handlers: OperationHandlers;
  /** Applies changed cache settings (the next push uses them). */
  reconfigure(): Promise<void>;
  /** The engine in force now (the bridge's pushes go through it too). */
  engine(): PushService;
  close(): Promise<void>;
}

/** The test-push view's files (text) as the engine's changes. */
function changesOf(request: TestPushRequest): PushChange[] {
  const encoder = new TextEncoder();
  return [
    ...request.put.map((file) => ({ path: file.path, content: encoder.encode(file.content) })),
    ...request.delete.map((path) => ({ path, kind: 'delete' as const })),
  ];
}

/** The test push and the push history, adapting the push use cases to the UI contract. */
export function pushHandlers(ports: ServicePorts, database: Database): PushHandlers {
  const { settings, secretStore, events, logger, env } = ports;

  // Rebuilt when the settings change, so the clone cache and engine threshold follow the view.
  function open(): PushService {
    const engine: PushService = openPushEngine({
      database,
      settings,
      env,
      logger,
      onRecorded: (id) => {
        const [entry] = engine.history({ before: id + 1, limit: 1 }).entries;
        if (entry && entry.id === id)
          events.emit({ kind: 'history', entry: withCommitLink(settings, entry) });
      },
    });
    return engine;
  }
  let engine = open();

  return {
    handlers: {
      async testPush(request: TestPushRequest): Promise<PushOutcome> {
        const { result, commitUrl } = await pushForInstallation(
          { settings, secretStore, engine, env, logger },
          {
            installation: request.installation,
            request: {
              repo: request.repo,
              branch: request.branch,
              message: request.message,
              changes: changesOf(request),
              ...(request.author ? { author: request.author } : {}),
              ...(request.engine ? { engine: request.engine } : {}),
            },
            ...(request.runId === undefined
              ? {}
              : { onProgress: pushProgressEmitter(request.runId, (event) => events.emit(event)) }),
          },
        );
        if (result.kind === 'noop') {
          return {
            kind: 'noop',
            parent: result.parent,
            engine: result.engine,
            durationMs: result.durationMs,
          };
        }
        return {
          kind: 'pushed',
          commit: result.commit,
          parent: result.parent,
          engine: result.engine,
          attempts: result.attempts,
          durationMs: result.durationMs,
          changed: result.changed,
          commitUrl,
        };
      },
      async queryHistory(request: HistoryQuery) {
        return {
          entries: listPushHistory(
            { settings, database },
            {
              ...(request.installation ? { installation: request.installation } : {}),
              ...(request.repo ? { repo: request.repo } : {}),
              ...(request.result ? { result: request.result } : {}),
              limit: request.limit ?? 200,
            },
          ),
        };
      },
    },
    async reconfigure() {
      const previous = engine;
      engine = open();
      await previous.close();
    },
    engine: () => engine,
    close: () => engine.close(),
  };
}
