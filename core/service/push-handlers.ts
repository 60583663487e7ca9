import type { Database } from 'better-sqlite3';
import type {
  HistoryEntry,
  HistoryQuery,
  PushOutcome,
  TestPushRequest,
} from '../../common/api/models.js';
import type { Installation } from '../../common/models/installation.js';
import type { PushChange, PushHistoryEntry } from '../../common/models/push.js';
import { createAuthorization } from '../auth/installation-authorization.js';
import { createPushService, type PushService } from '../git/push-service.js';
import type { OperationHandlers } from './companion-service.js';
import { pushProgressEmitter } from './push-progress-events.js';
import type { ServicePorts } from './service-ports.js';

/** `{base}/projects/P/repos/slug/commits/SHA`: where BDC shows a commit. */
export function commitUrl(baseUrl: string, repo: string, commit: string): string {
  const [project = '', slug = ''] = repo.split('/');
  return `${baseUrl}/projects/${encodeURIComponent(project)}/repos/${encodeURIComponent(slug)}/commits/${commit}`;
}

export interface PushHandlers {
  readonly handlers: OperationHandlers;
  /** Applies changed cache settings (the next push uses them). */
  reconfigure(): Promise<void>;
  close(): Promise<void>;
}

/** The test push through the real push engine, and the push history. */
export function pushHandlers(ports: ServicePorts, database: Database): PushHandlers {
  const { settings, secretStore, events, logger } = ports;

  function withLink(entry: PushHistoryEntry): HistoryEntry {
    const installation = settings.findInstallation(entry.installationId);
    return {
      ...entry,
      commitUrl:
        installation && entry.commit
          ? commitUrl(installation.baseUrl, entry.repo, entry.commit)
          : undefined,
    };
  }

  /**
   * Built from the settings file's cache settings, overriding the environment; rebuilt when the
   * settings change, so the clone cache and the engine threshold follow the settings view.
   */
  function build(): PushService {
    const cache = settings.cacheSettings?.() ?? {};
    const created: PushService = createPushService({
      database,
      env:
        cache.gitFallbackThresholdMb === undefined
          ? ports.env
          : {
              ...ports.env,
              BITBUCKET_DC_GIT_FALLBACK_THRESHOLD_MB: String(cache.gitFallbackThresholdMb),
            },
      logger: logger.child({ component: 'push' }),
      ...(cache.directory === undefined ? {} : { cacheRoot: cache.directory }),
      ...(cache.idleExpiryMs === undefined ? {} : { cacheTtlMs: cache.idleExpiryMs }),
      ...(cache.maxBytes === undefined ? {} : { cacheMaxBytes: cache.maxBytes }),
      onRecorded: (id) => {
        const [entry] = created.history({ before: id + 1, limit: 1 }).entries;
        if (entry && entry.id === id) events.emit({ kind: 'history', entry: withLink(entry) });
      },
    });
    return created;
  }
  let service = build();

  async function push(installation: Installation, request: TestPushRequest): Promise<PushOutcome> {
    const authorization = await createAuthorization(installation, secretStore, { logger });
    const encoder = new TextEncoder();
    const changes: PushChange[] = [
      ...request.put.map((file) => ({
        kind: 'put' as const,
        path: file.path,
        content: encoder.encode(file.content),
      })),
      ...request.delete.map((path) => ({ kind: 'delete' as const, path, delete: true as const })),
    ];
    const result = await service.push(
      installation,
      authorization,
      {
        repo: request.repo,
        branch: request.branch,
        message: request.message,
        changes,
        ...(request.author ? { author: request.author } : {}),
        ...(request.engine ? { engine: request.engine } : {}),
      },
      request.runId === undefined
        ? {}
        : {
            onProgress: pushProgressEmitter(request.runId, (event) => events.emit(event)),
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
      commitUrl: commitUrl(installation.baseUrl, request.repo, result.commit),
    };
  }

  return {
    handlers: {
      async testPush(request: TestPushRequest) {
        return push(settings.requireInstallation(request.installation), request);
      },
      async queryHistory(request: HistoryQuery) {
        const installation = request.installation
          ? settings.requireInstallation(request.installation)
          : undefined;
        const page = service.history({
          ...(installation ? { installationId: installation.id } : {}),
          ...(request.repo ? { repo: request.repo } : {}),
          ...(request.result === 'failed' ? { result: 'failed' as const } : {}),
          limit: request.limit ?? 200,
        });
        const entries = page.entries.map(withLink);
        return {
          entries:
            request.result === 'ok'
              ? entries.filter((entry) => entry.result !== 'failed')
              : entries,
        };
      },
    },
    async reconfigure() {
      const previous = service;
      service = build();
      await previous.close();
    },
    close: () => service.close(),
  };
}
