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
import { createPushService } from '../git/push-service.js';
import type { OperationHandlers } from './companion-service.js';
import type { ServicePorts } from './service-ports.js';

/** `{base}/projects/P/repos/slug/commits/SHA`: where BDC shows a commit. */
export function commitUrl(baseUrl: string, repo: string, commit: string): string {
  const [project = '', slug = ''] = repo.split('/');
  return `${baseUrl}/projects/${encodeURIComponent(project)}/repos/${encodeURIComponent(slug)}/commits/${commit}`;
}

export interface PushHandlers {
  readonly handlers: OperationHandlers;
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

  const service = createPushService({
    database,
    env: ports.env,
    logger: logger.child({ component: 'push' }),
    onRecorded: (id) => {
      const [entry] = service.history({ before: id + 1, limit: 1 }).entries;
      if (entry && entry.id === id) events.emit({ kind: 'history', entry: withLink(entry) });
    },
  });

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
    const result = await service.push(installation, authorization, {
      repo: request.repo,
      branch: request.branch,
      message: request.message,
      changes,
      ...(request.author ? { author: request.author } : {}),
      ...(request.engine ? { engine: request.engine } : {}),
    });
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
    close: () => service.close(),
  };
}
