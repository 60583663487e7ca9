import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { handleAdmin } from './admin.js';
import { FaultState } from './faults.js';
import { gitOk } from './git/git-process.js';
import {
  branchTip,
  fillRepository,
  initBareRepository,
  installHooks,
  repositoryPath,
  writePullRequestOnlySync,
} from './git/repositories.js';
import type { RefUpdate } from './git/scm-handler.js';
import { createBdcRouter, type StatusState } from './http/bdc-router.js';
import { RequestLog } from './http/request-log.js';
import { bdcRateLimitDefaults, RateLimiter } from './http/rate-limiter.js';
import { TlsFront } from './http/tls-front.js';
import type { OAuthClientRegistration, OAuthProvider, OAuthProviderFactory } from './oauth-port.js';
import { createOAuthProvider } from './oauth/oauth-provider.js';
import { generateServerPkiAsync } from './pki.js';
import { startPlatform, type RunningPlatformStandIn } from './platform/platform-server.js';
import type { PagingMode } from './rest/paging.js';
import { buildNumber } from './rest/representations.js';
import type { RestEnvironment } from './rest/rest-api.js';
import { readSeedFile, validateSeed } from './seed.js';
import type {
  RunningSimulator,
  SeedResult,
  SimSeed,
  SimulatorOptions,
  SimUser,
} from './simulator-api.js';
import { patWithSlashAndPlus, SimState, type SimRepo } from './state/sim-state.js';
import { WebhookService } from './webhooks/webhook-service.js';

export type * from './simulator-api.js';

export interface StartOptions extends SimulatorOptions {
  /** The OAuth 2.0 provider factory (default: `sim/oauth/`); false serves no OAuth. */
  readonly oauthProvider?: OAuthProviderFactory | false;
  /** Redirect URIs of the ready OAuth client. */
  readonly oauthRedirectUris?: readonly string[];
}

export const READY_PROJECT = 'DEMO';
export const READY_REPO = 'gitops';
export const READY_USER = 'admin';

/** Starts the BDC simulator (and by default the platform stand-in) on 127.0.0.1 over HTTPS. */
export async function startSimulator(options: StartOptions = {}): Promise<RunningSimulator> {
  const now = options.now ?? Date.now;
  const contextPath = normaliseContextPath(options.contextPath ?? '');
  const ownsDataDir = options.dataDir === undefined;
  // Absolute: git hooks and GIT_PROJECT_ROOT are resolved from other working directories.
  const dataDir = resolve(options.dataDir ?? (await mkdtemp(join(tmpdir(), 'bdc-sim-'))));
  const repoRoot = join(dataDir, 'repos');
  const hooksDir = join(dataDir, 'hooks');
  const tmpDir = join(dataDir, 'tmp');
  await Promise.all([repoRoot, tmpDir].map((dir) => mkdir(dir, { recursive: true })));
  await installHooks(hooksDir);

  const pki = await generateServerPkiAsync({
    keyType: options.keyType ?? 'rsa',
    certificate: options.certificate ?? 'valid',
    name: 'BDC Simulator',
    now,
  });
  const caFile = join(dataDir, 'bdc-root-ca.pem');
  await writeFile(caFile, pki.root.certPem);

  const state = new SimState();
  const faults = new FaultState();
  let version = options.version ?? '9.4.22';
  let paging: PagingMode = options.paging ?? 'normal';
  let status: StatusState = 'RUNNING';
  let rateLimiter: RateLimiter | undefined = options.rateLimit
    ? new RateLimiter(options.rateLimit === true ? bdcRateLimitDefaults : options.rateLimit, now)
    : undefined;

  const user = state.addUser({
    name: READY_USER,
    displayName: 'Administrator',
    emailAddress: 'admin@example.com',
  });
  state.addUser({ name: 'other', displayName: 'Other Person', emailAddress: 'other@example.com' });
  const pat = state.addToken({
    user: user.name,
    token: patWithSlashAndPlus(),
    projectPermission: 'PROJECT_ADMIN',
    repoPermission: 'REPO_ADMIN',
  });

  const pathOf = (project: string, slug: string): string => repositoryPath(repoRoot, project, slug);
  const repoPathOf = (repo: SimRepo): string => pathOf(repo.projectKey, repo.slug);

  const oauthClients: OAuthClientRegistration[] = [];
  // Shaped as BDC issues them (ClientCredentialsGenerator): 32 and 64 lower-case hex digits.
  const oauthClientId = randomBytes(16).toString('hex');
  const oauthClientSecret = randomBytes(32).toString('hex');
  oauthClients.push({
    clientId: oauthClientId,
    clientSecret: oauthClientSecret,
    // The companion's redirect URIs, registered verbatim as an admin would (core/auth/oauth).
    redirectUris: options.oauthRedirectUris ?? [
      'io.ankra.bdc-companion:/oauth/callback',
      'http://localhost:47615/oauth/callback',
    ],
  });
  const factory: OAuthProviderFactory | undefined =
    options.oauthProvider === false ? undefined : (options.oauthProvider ?? createOAuthProvider);
  // The provider takes its clients at creation; adding a client rebuilds it (sessions reset).
  const makeOAuth = (): OAuthProvider | undefined =>
    factory?.({ now, findUser: (name) => state.users.get(name), clients: [...oauthClients] });
  let oauth = makeOAuth();

  let port = 0;
  const baseUrl = (): string => `https://127.0.0.1:${port}${contextPath}`;
  const startedAt = now();
  const webhooks = new WebhookService({
    state,
    now,
    baseUrl,
    version: () => version,
    buildNumber: () => buildNumber(version),
    paging: () => paging,
    repositoryPath: repoPathOf,
    ...(options.webhookTimeoutMs !== undefined ? { timeoutMs: options.webhookTimeoutMs } : {}),
    ...(options.webhookBreaker !== undefined ? { breaker: options.webhookBreaker } : {}),
  });
  const onRefsChanged = (
    repo: SimRepo,
    actor: string | undefined,
    updates: readonly RefUpdate[],
  ): Promise<void> => webhooks.refsChanged(repo, actor, updates);

  const restEnv: RestEnvironment = {
    state,
    version: () => version,
    paging: () => paging,
    get baseUrl() {
      return baseUrl();
    },
    startedAt,
    webhooks,
    repositoryPath: repoPathOf,
    branches: async (repo) => {
      const out = await gitOk(
        ['for-each-ref', '--format=%(refname:strip=2) %(objectname)', 'refs/heads'],
        { cwd: repoPathOf(repo) },
      );
      return out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [name = '', tip = ''] = line.split(' ');
          return { name, tip };
        });
    },
    branchTip: async (repo, branch) => {
      if (branch !== '*') return branchTip(repoPathOf(repo), branch);
      const out = await gitOk(
        ['for-each-ref', '--count=1', '--format=%(objectname)', 'refs/heads'],
        {
          cwd: repoPathOf(repo),
        },
      );
      return out.trim() || undefined;
    },
  };

  const requestLog = new RequestLog();
  const router = createBdcRouter({
    contextPath,
    requestLog,
    repositorySizes: options.repositorySizes !== false,
    rest: restEnv,
    faults,
    oauth: () => oauth,
    status: () => status,
    now,
    resetConnection: (request) => front.reset(request.socket),
    rateLimiter: () => rateLimiter,
    scm: {
      state,
      faults,
      repoRoot,
      tmpDir,
      now,
      repositoryPath: repoPathOf,
      onRefsChanged,
    },
    admin: (request, response, path) =>
      handleAdmin(request, response, path, {
        faults,
        setStatus: (next) => (status = next),
        setVersion: (next) => (version = next),
        setPaging: (next) => (paging = next),
        setRateLimit: (settings) => handle.setRateLimit(settings),
      }),
  });

  const chain = [pki.server.certPem, pki.intermediate.certPem];
  if (options.serveRoot) chain.push(pki.root.certPem);
  const https = createHttpsServer(
    { key: pki.server.keyPem, cert: chain.join('') },
    (request, response) => {
      // A client killed mid-request (push-crash tests) aborts the body; that is not a sim crash.
      request.on('error', () => undefined);
      router(request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { 'Content-Type': 'text/plain' });
        }
        response.end(
          `simulator error: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      });
    },
  );
  https.on('tlsClientError', () => undefined);
  const front = new TlsFront(https);
  faults.onStallChange((on) => front.setStalled(on));

  const addRepository = async (
    project: string,
    slug: string,
    content?: { readonly files: number; readonly bytes: number } | 'ready',
  ): Promise<void> => {
    const repo = state.addRepo(project, slug);
    const path = repoPathOf(repo);
    const created = await initBareRepository(path, { hooksDir, defaultBranch: repo.defaultBranch });
    if (created && content !== undefined) {
      await fillRepository(path, repo.defaultBranch, content, now());
    }
  };

  state.addProject(READY_PROJECT, 'Demo', { description: 'Demo project of the BDC simulator' });
  await addRepository(READY_PROJECT, READY_REPO, 'ready');
  state.findRepo(READY_PROJECT, READY_REPO)!.description = 'Demo GitOps repository';

  const applySeed = async (input: string | SimSeed): Promise<SeedResult> => {
    const seed = typeof input === 'string' ? await readSeedFile(input) : validateSeed(input);
    for (const seedUser of seed.users ?? []) state.addUser(seedUser);
    for (const project of seed.projects ?? []) {
      state.addProject(project.key, project.name, {
        public: project.public ?? false,
        ...(project.description !== undefined ? { description: project.description } : {}),
      });
    }
    for (const repository of seed.repositories ?? []) {
      const content =
        repository.files !== undefined && repository.files > 0
          ? { files: repository.files, bytes: repository.bytes ?? repository.files * 1024 }
          : undefined;
      await addRepository(repository.project, repository.slug, content);
      const added = state.findRepo(repository.project, repository.slug);
      if (added && repository.description !== undefined) {
        added.description = repository.description;
      }
      for (const branch of repository.pullRequestOnly ?? []) {
        restrictBranch(repository.project, repository.slug, branch);
      }
    }
    const generated: { user: string; token: string }[] = [];
    for (const token of seed.tokens ?? []) {
      const value = state.addToken(token);
      if (token.token === undefined) generated.push({ user: token.user, token: value });
    }
    return { tokens: generated };
  };

  const restrictBranch = (project: string, slug: string, branch: string): void => {
    const repo = state.findRepo(project, slug);
    if (!repo) throw new Error(`no repository ${project}/${slug}`);
    repo.prOnlyBranches.add(branch);
    writePullRequestOnlySync(repoPathOf(repo), repo.prOnlyBranches);
  };

  let platform: RunningPlatformStandIn | undefined;
  try {
    if (options.seed !== undefined) await applySeed(options.seed);
    if (options.platform !== false) {
      platform = await startPlatform({
        dataDir,
        now,
        ...(options.platformInstallationId !== undefined
          ? { installationId: options.platformInstallationId }
          : {}),
        ...(options.webhookSecret !== undefined ? { webhookSecret: options.webhookSecret } : {}),
      });
      webhooks.trustCa(platform.caPem);
    }
    port = await front.listen(options.port ?? 0);
  } catch (error) {
    await platform?.close();
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const handle: RunningSimulator = {
    get url() {
      return baseUrl();
    },
    port,
    caFile,
    caPem: pki.root.certPem,
    intermediatePem: pki.intermediate.certPem,
    user,
    pat,
    project: READY_PROJECT,
    repo: READY_REPO,
    oauthClientId,
    oauthClientSecret,
    platform,
    requests: () => requestLog.list(),
    clearRequests: () => requestLog.clear(),
    addUser: (partial) => state.addUser(partial),
    addToken: (spec) => state.addToken(spec),
    revokeToken: (token) => {
      state.tokens.delete(token);
    },
    addProject: (key, name, projectOptions) => {
      state.addProject(key, name, projectOptions);
    },
    addRepository: (project, slug, content) => addRepository(project, slug, content),
    repositoryPath: (project, slug) => pathOf(project, slug),
    restrictBranch,
    faults,
    dataDir,
    webhooks: {
      invocations: () => webhooks.list(),
      idle: () => webhooks.idle(),
      trustCa: (pem) => webhooks.trustCa(pem),
    },
    seed: applySeed,
    setStatus: (next) => {
      status = next;
    },
    setVersion: (next) => {
      version = next;
    },
    setPaging: (next) => {
      paging = next;
    },
    setRateLimit: (settings) => {
      rateLimiter = settings
        ? new RateLimiter(settings === true ? bdcRateLimitDefaults : settings, now)
        : undefined;
    },
    addOAuthClient: (client) => {
      oauthClients.push(client);
      // Rebuilding the provider would forget every token issued so far; only a provider that
      // cannot add a link is rebuilt.
      if (oauth?.addClient) oauth.addClient(client);
      else oauth = makeOAuth();
    },
    close: async () => {
      faults.clear();
      await webhooks.close();
      await Promise.allSettled([front.close(), platform?.close()]);
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

function normaliseContextPath(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

export type { SimUser };
