import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FaultState } from '../faults.js';
import { readBody, sendText } from '../http/respond.js';
import type { Principal, SimRepo, SimState } from '../state/sim-state.js';
import { parseReceivePackCommands, runHttpBackend } from './http-backend.js';
import { addForeignCommit, PUSH_LOG_ENV } from './repositories.js';

export interface RefUpdate {
  readonly oldId: string;
  readonly newId: string;
  readonly ref: string;
}

export interface ScmDependencies {
  readonly state: SimState;
  readonly faults: FaultState;
  readonly repoRoot: string;
  readonly tmpDir: string;
  readonly now: () => number;
  repositoryPath(repo: SimRepo): string;
  /** Called after receive-pack accepted ref updates (webhooks fire from here). */
  onRefsChanged(
    repo: SimRepo,
    actor: string | undefined,
    updates: readonly RefUpdate[],
  ): Promise<void>;
}

const SCM_PATH = /^\/scm\/([^/]+)\/([^/]+?)(?:\.git)?(\/.*)?$/;
const REALM = 'Basic realm="Atlassian Bitbucket"';

/**
 * `/scm/{project}/{slug}.git/...`: REPO_READ to fetch, REPO_WRITE to push. Anonymous callers get
 * 401 with BDC's realm (so git asks for credentials); signed-in callers without the permission get
 * 403, as BDC answers a push without write access (docs/bdc-api-facts.md §5).
 */
export async function handleScm(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  query: URLSearchParams,
  principal: Principal,
  headers: Readonly<Record<string, string>>,
  deps: ScmDependencies,
): Promise<void> {
  const match = SCM_PATH.exec(path);
  const project = match ? deps.state.findProject(decodeURIComponent(match[1]!)) : undefined;
  const repo =
    match && project ? deps.state.findRepo(project.key, decodeURIComponent(match[2]!)) : undefined;
  if (!match || !project || !repo) {
    sendText(response, 404, 'Repository not found\n');
    return;
  }
  const rest = match[3] ?? '';
  const write = rest === '/git-receive-pack' || query.get('service') === 'git-receive-pack';
  const needed = write ? 2 : 1;
  const level = principal.repoLevel(project, repo);
  if (level < needed) {
    if (!principal.user) {
      response.writeHead(401, { 'WWW-Authenticate': REALM, 'Content-Type': 'text/plain' });
      response.end('Authentication required\n');
    } else {
      sendText(response, 403, 'You do not have permission to access this repository.\n');
    }
    return;
  }
  const pathInfo = `/${repo.projectKey.toLowerCase()}/${repo.slug}.git${rest}`;
  const common = {
    request,
    response,
    projectRoot: deps.repoRoot,
    pathInfo,
    queryString: query.toString(),
    remoteUser: principal.user?.name,
    headers,
  };

  if (!(request.method === 'POST' && rest === '/git-receive-pack')) {
    await runHttpBackend(common);
    return;
  }

  const body = await readBody(request);
  const repoPath = deps.repositoryPath(repo);
  if (deps.faults.hasRace(repo.projectKey, repo.slug)) {
    const plain = String(request.headers['content-encoding'] ?? '').includes('gzip')
      ? gunzipSync(body)
      : body;
    for (const command of parseReceivePackCommands(plain)) {
      const branch = command.ref.replace(/^refs\/heads\//, '');
      if (deps.faults.takeRace(repo.projectKey, repo.slug, branch)) {
        try {
          const after = await addForeignCommit(repoPath, branch, deps.now());
          await deps.onRefsChanged(repo, 'other', [
            { oldId: command.oldId, newId: after, ref: command.ref },
          ]);
        } catch {
          // The branch does not exist yet: nobody can have pushed to it; the push goes ahead.
        }
      }
    }
  }
  const log = join(deps.tmpDir, `push-${randomUUID()}.log`);
  await runHttpBackend({
    ...common,
    body,
    env: { [PUSH_LOG_ENV]: log },
    beforeEnd: async () => {
      let updates: RefUpdate[] = [];
      try {
        updates = (await readFile(log, 'utf8'))
          .split('\n')
          .map((line) => line.trim().split(' '))
          .filter((parts): parts is [string, string, string] => parts.length === 3)
          .map(([oldId, newId, ref]) => ({ oldId, newId, ref }));
      } catch {
        // No log: nothing was accepted.
      }
      await rm(log, { force: true });
      if (updates.length) await deps.onRefsChanged(repo, principal.user?.name, updates);
    },
  });
}
