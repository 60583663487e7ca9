import { CompanionError } from '../../common/errors/companion-error.js';
import type { Installation } from '../../common/models/installation.js';
import type {
  PushAttemptRecord,
  PushAuthor,
  PushChangeKind,
  PushEngineName,
  PushProgress,
  PushRequest,
  PushResult,
} from '../../common/models/push.js';
import type { Authorization } from '../auth/authorization.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { installationNetworkOptions } from '../net/installation-network.js';
import { USER_AGENT } from '../net/user-agent.js';
import type { NetworkOptions } from '../net/network-options.js';
import { routeChoice } from '../net/route-choice.js';
import { backoffDelay, DEFAULT_BACKOFF, realSleep, type BackoffOptions } from './backoff.js';
import { buildChangeSet } from './change-set.js';
import { runCliAttempt } from './cli-engine.js';
import type { CloneCache } from './clone-cache.js';
import type {
  CommitSignature,
  EngineAttemptInput,
  EngineAttemptResult,
  ProgressSink,
} from './engine-attempt.js';
import type { DiscoveredBranch } from './branch-discovery.js';
import type { IsoAttemptRunner } from './iso-runner.js';
import {
  AttemptFailure,
  asAttemptFailure,
  classifyTransportError,
  refusedAtTip,
} from './push-failure.js';
import { discoverExpectedBranch, tipMoved } from './expected-tip.js';
import { smartHttpDispatcher } from './smart-http-dispatchers.js';
import type { PushConfig } from './push-config.js';

export const MAX_ATTEMPTS = 5;

export interface PushDependencies {
  readonly authorization: Authorization;
  readonly cache: CloneCache;
  readonly isoRunner: IsoAttemptRunner;
  /**
   * Overrides for the author/committer of the signed-in user (display name and e-mail). A promise
   * is awaited only once the repository lock is held, so the lookup overlaps taking the lock.
   */
  readonly signedInAuthor?: PushAuthor | Promise<PushAuthor | undefined>;
  /** Proxy variables and the git CLI's parent environment are read from here. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The engine threshold and cold-clone choice, resolved by `resolvePushConfig`. */
  readonly config: Pick<PushConfig, 'fallbackThresholdMb' | 'coldCloneWithGit'>;
  readonly backoff?: BackoffOptions;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock for commit timestamps and durations. */
  readonly now?: () => number;
  /** Minutes east of UTC written into commits; the local zone by default. */
  readonly offsetMinutes?: number;
  readonly maxAttempts?: number;
  readonly logger?: Logger;
  readonly onProgress?: (progress: PushProgress) => void;
  readonly signal?: AbortSignal;
  /** Every attempt and the outcome, for the push history. */
  readonly onFinished?: (record: PushRecord) => void;
  readonly networkOverrides?: Partial<NetworkOptions>;
  /**
   * The repository's size on the server in bytes (undefined when unknown), asked only when the
   * clone cache knows nothing of the repository: the engine is then chosen before the first clone.
   */
  readonly remoteSizeBytes?: (repo: string) => Promise<number | undefined>;
}

/** What the history keeps of one push (successful or not). */
export interface PushRecord {
  readonly startedAt: string;
  readonly installation: Installation;
  readonly user: string;
  readonly request: PushRequest;
  readonly engine: PushEngineName | undefined;
  readonly attempts: readonly PushAttemptRecord[];
  readonly durationMs: number;
  readonly result: PushResult | undefined;
  readonly error: CompanionError | undefined;
  readonly paths: readonly { readonly path: string; readonly kind: PushChangeKind }[];
}

const REPO_PATTERN = /^([A-Za-z0-9_~][A-Za-z0-9_-]*)\/([A-Za-z0-9._-]+)$/;
// git check-ref-format, the subset a branch name may use.
const BRANCH_PATTERN = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\/\.|\.|.*\.lock$|.*\/$|.*\.$)[^ ~^:?*[\\]+$/;

const COMMIT_ID = /^[0-9a-f]{40}$/;

function hasControlCharacter(text: string): boolean {
  return [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

function invalid(message: string): CompanionError {
  return new CompanionError('PUSH_REQUEST_INVALID', message);
}

/** `https://bdc/bitbucket` + `PROJ/slug` → `https://bdc/bitbucket/scm/proj/slug.git` (BDC's http clone link). */
export function cloneUrl(baseUrl: string, repo: string): string {
  const match = REPO_PATTERN.exec(repo);
  if (match === null) throw invalid(`Repository "${repo}" is not of the form PROJECT/slug.`);
  const [, project, slug] = match as unknown as [string, string, string];
  return `${baseUrl.replace(/\/+$/, '')}/scm/${encodeURIComponent(project.toLowerCase())}/${encodeURIComponent(slug)}.git`;
}

export function validateRequest(request: PushRequest): void {
  if (typeof request.repo !== 'string' || !REPO_PATTERN.test(request.repo)) {
    throw invalid(`Repository "${String(request.repo)}" is not of the form PROJECT/slug.`);
  }
  for (const [label, branch] of [
    ['branch', request.branch],
    ['createFrom', request.createFrom],
  ] as const) {
    if (branch === undefined && label === 'createFrom') continue;
    if (
      typeof branch !== 'string' ||
      !BRANCH_PATTERN.test(branch) ||
      hasControlCharacter(branch) ||
      branch.startsWith('refs/')
    ) {
      throw invalid(`The ${label} "${String(branch)}" is not a valid branch name.`);
    }
  }
  if (typeof request.message !== 'string' || request.message.trim() === '')
    throw invalid('The commit message is empty.');
  if (request.author !== undefined) validateAuthor(request.author);
  if (
    request.expectedTip !== undefined &&
    (typeof request.expectedTip !== 'string' || !COMMIT_ID.test(request.expectedTip))
  ) {
    throw invalid('The expected tip must be a full commit id (40 hexadecimal digits).');
  }
}

function validateAuthor(author: PushAuthor): void {
  const bad = (text: string): boolean =>
    /[<>]/.test(text) || hasControlCharacter(text) || text.trim() === '';
  if (bad(author.name) || bad(author.email)) {
    throw invalid('The author must be a name and an e-mail address without <, > or line breaks.');
  }
}

/** "Name <email>" → author. */
export function parseAuthor(text: string): PushAuthor {
  const match = /^\s*([^<>]+?)\s*<([^<>\s]+)>\s*$/.exec(text);
  if (match === null) throw invalid(`Author "${text}" is not of the form "Name <email>".`);
  return { name: match[1] as string, email: match[2] as string };
}

/** The engine for a repository of this size: isomorphic-git up to the threshold, git above. */
export function chooseEngine(
  choice: PushRequest['engine'],
  knownSizeBytes: number | undefined,
  thresholdMb: number,
): PushEngineName {
  if (choice === 'git' || choice === 'isomorphic-git') return choice;
  return knownSizeBytes !== undefined && knownSizeBytes > thresholdMb * 1024 * 1024
    ? 'git'
    : 'isomorphic-git';
}

function localOffsetMinutes(at: number): number {
  return -new Date(at).getTimezoneOffset();
}

/**
 * One atomic commit of the request's changes on the branch tip, landed as a fast-forward.
 *
 * Under the repository lock: try to push; when the branch moved (another writer landed first),
 * re-fetch, re-apply the same changes on the new tip and try again, up to 5 attempts — at once on
 * the tip receive-pack's refusal named, otherwise after exponential backoff with full jitter. A hook's refusal, credentials, permissions, TLS and input
 * errors are not retried, nor a moved branch when the request names an expected tip (it lands on
 * exactly that commit or not at all). Every attempt is recorded.
 */
export async function push(
  installation: Installation,
  request: PushRequest,
  deps: PushDependencies,
): Promise<PushResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const startedAt = new Date(started).toISOString();
  const logger = (deps.logger ?? silentLogger).child({
    installation: installation.name,
    repo: request.repo,
    branch: request.branch,
  });
  const attempts: PushAttemptRecord[] = [];
  let engine: PushEngineName | undefined;
  let paths: PushRecord['paths'] = [];
  const emit = (progress: PushProgress): void => deps.onProgress?.(progress);
  const finish = (result: PushResult | undefined, error: CompanionError | undefined): void => {
    deps.onFinished?.({
      startedAt,
      installation,
      user: deps.authorization.user,
      request,
      engine,
      attempts,
      durationMs: now() - started,
      result,
      error,
      paths,
    });
  };
  try {
    validateRequest(request);
    buildChangeSet(request.changes);
    const url = cloneUrl(installation.baseUrl, request.repo);
    const known = (await deps.cache.list())
      .filter(
        (entry) =>
          entry.meta?.instanceId === installation.id &&
          entry.meta.repo.toLowerCase() === request.repo.toLowerCase(),
      )
      .map((entry) => entry.sizeBytes);
    // What the cache holds of this repository decides; before its first clone, the size BDC
    // reports (docs/push-engine-choice.md); without either, isomorphic-git as before.
    const knownSize =
      known.length > 0
        ? Math.max(...known)
        : request.engine === 'auto' || request.engine === undefined
          ? await deps.remoteSizeBytes?.(request.repo)
          : undefined;
    engine = chooseEngine(request.engine, knownSize, deps.config.fallbackThresholdMb);
    const chosen = engine;

    emit({ phase: 'lock', attempt: 0 });
    const lease = await deps.cache.lease(installation.id, request.repo, chosen, deps.signal);
    try {
      const result = await attemptLoop(installation, request, deps, {
        url,
        engine: chosen,
        lease,
        attempts,
        emit,
        logger,
        now,
        started,
      });
      if (result.kind === 'committed') {
        const committed = result;
        paths = committed.paths;
      }
      const outcome: PushResult =
        result.kind === 'committed'
          ? {
              kind: 'committed',
              commit: result.commit,
              parent: result.parent,
              engine: chosen,
              attempts: attempts.length,
              durationMs: now() - started,
              changed: result.paths.length,
            }
          : {
              kind: 'noop',
              parent: result.parent,
              engine: chosen,
              attempts: attempts.length,
              durationMs: now() - started,
            };
      logger.info('push finished', {
        result: outcome.kind,
        attempts: attempts.length,
        engine: chosen,
      });
      finish(outcome, undefined);
      return outcome;
    } finally {
      await lease.release();
    }
  } catch (error) {
    const companion =
      error instanceof CompanionError
        ? error
        : error instanceof AttemptFailure
          ? error.error
          : new CompanionError('INTERNAL_ERROR', (error as Error)?.message ?? String(error), {
              cause: error,
            });
    logger.warn('push failed', { code: companion.code, attempts: attempts.length });
    finish(undefined, companion);
    throw companion;
  }
}

interface LoopContext {
  readonly url: string;
  readonly engine: PushEngineName;
  readonly lease: Awaited<ReturnType<CloneCache['lease']>>;
  readonly attempts: PushAttemptRecord[];
  readonly emit: ProgressSink;
  readonly logger: Logger;
  readonly now: () => number;
  readonly started: number;
}

/**
 * The network of one attempt. The route is decided here, in this thread: the isomorphic-git worker
 * has no routing of its own, and both engines must take the route the Network section shows.
 */
async function attemptNetwork(
  installation: Installation,
  deps: PushDependencies,
  url: string,
): Promise<NetworkOptions> {
  const network = {
    ...installationNetworkOptions(installation),
    env: { ...deps.env },
    ...deps.networkOverrides,
  };
  const proxy = await routeChoice(url, network).catch((error: unknown) => {
    throw classifyTransportError(error, url);
  });
  return proxy === undefined ? network : { ...network, proxy };
}

/**
 * The branch's tip as the first attempt would discover it, asked early, over the route that
 * attempt takes. A discovery that fails fails the first attempt, as the attempt's own would have
 * (classified, retried, an expired token refreshed); a route that cannot be decided answers
 * undefined, for the attempt to meet itself.
 */
async function earlyDiscovery(
  route: Promise<NetworkOptions>,
  request: PushRequest,
  deps: PushDependencies,
  url: string,
): Promise<DiscoveredBranch | undefined> {
  let network: NetworkOptions;
  try {
    network = await route;
  } catch {
    return undefined;
  }
  const leased = smartHttpDispatcher(network);
  try {
    const client = {
      dispatcher: leased.dispatcher,
      headers: { authorization: await deps.authorization.header(), 'user-agent': USER_AGENT },
    };
    return await discoverExpectedBranch(
      client,
      url,
      request.branch,
      request.createFrom,
      request.expectedTip,
    );
  } finally {
    await leased.release();
  }
}

async function attemptLoop(
  installation: Installation,
  request: PushRequest,
  deps: PushDependencies,
  context: LoopContext,
): Promise<
  | Extract<EngineAttemptResult, { kind: 'committed' }>
  | Extract<EngineAttemptResult, { kind: 'noop' }>
> {
  const { lease, attempts, emit, now } = context;
  // The first attempt's ref discovery goes out now, on the connection the engine will use, so its
  // round trip overlaps the committer lookup and loading the engine (bench/RESULTS.md, whole
  // process). Only where the engine runs on this thread: a worker has connections of its own.
  const firstNetwork = attemptNetwork(installation, deps, context.url);
  // Awaited by the first attempt, where a route that cannot be decided fails as before.
  firstNetwork.catch(() => undefined);
  const early =
    context.engine === 'git' || deps.isoRunner.inThread === true
      ? earlyDiscovery(firstNetwork, request, deps, context.url)
      : undefined;
  // Awaited by the first attempt, which its failure fails; handled here so that a failure arriving
  // before then is not an unhandled rejection.
  early?.catch(() => undefined);
  const signedInAuthor = await deps.signedInAuthor;
  const maxAttempts = deps.maxAttempts ?? MAX_ATTEMPTS;
  const sleep = deps.sleep ?? realSleep;
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const author = request.author ??
    signedInAuthor ?? {
      name: deps.authorization.user,
      email: `${deps.authorization.user}@users.noreply`,
    };
  const committer = signedInAuthor ?? author;
  let refreshed = false;
  let lastFailure: AttemptFailure | undefined;
  let knownTip: string | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    if (deps.signal?.aborted === true)
      throw new CompanionError('OPERATION_CANCELLED', 'The push was cancelled.');
    const attemptStarted = now();
    const seconds = Math.floor(attemptStarted / 1000);
    const offsetMinutes = deps.offsetMinutes ?? localOffsetMinutes(attemptStarted);
    const sign = (who: PushAuthor): CommitSignature => ({
      name: who.name,
      email: who.email,
      timestamp: seconds,
      offsetMinutes,
    });
    const network =
      attempt === 1 ? await firstNetwork : await attemptNetwork(installation, deps, context.url);
    // isomorphic-git loads (tens of ms of CPU) while the discovery's round trip is in flight.
    if (attempt === 1 && context.engine !== 'git') deps.isoRunner.prepare?.();
    const input: EngineAttemptInput = {
      gitdir: lease.gitdir,
      cold: lease.cold,
      url: context.url,
      branch: request.branch,
      ...(request.createFrom === undefined ? {} : { createFrom: request.createFrom }),
      ...(request.expectedTip === undefined ? {} : { expectedBase: request.expectedTip }),
      changes: request.changes,
      message: request.message,
      author: sign(author),
      committer: sign(committer),
      authorization: await deps.authorization.header(),
      network,
      userAgent: USER_AGENT,
      attempt,
      ...(lastFailure?.retry === 'conflict' ? { afterConflict: true } : {}),
      ...(knownTip === undefined ? {} : { knownTip }),
      // False keeps git out entirely (machines without git).
      coldCloneWithGit: deps.config.coldCloneWithGit,
      scratchDir: lease.scratchDir,
    };
    try {
      const discovered = attempt === 1 ? await early : undefined;
      const engineInput = discovered === undefined ? input : { ...input, discovered };
      const result =
        context.engine === 'git'
          ? await runCliAttempt(engineInput, emit)
          : await deps.isoRunner(engineInput, emit);
      attempts.push({
        attempt,
        startedAt: new Date(attemptStarted).toISOString(),
        durationMs: now() - attemptStarted,
        base: result.parent,
        outcome: result.kind === 'committed' ? 'ok' : 'noop',
      });
      await lease.complete();
      return result;
    } catch (error) {
      const failure = asAttemptFailure(error);
      lastFailure = failure;
      attempts.push({
        attempt,
        startedAt: new Date(attemptStarted).toISOString(),
        durationMs: now() - attemptStarted,
        outcome: failure.retry === 'fatal' ? 'failed' : 'retry',
        error: { code: failure.error.code, message: failure.error.message },
      });
      context.logger.info('push attempt failed', {
        attempt,
        code: failure.error.code,
        retry: failure.retry,
      });
      if (failure.error.code === 'PUSH_AUTH_FAILED' && !refreshed) {
        // An OAuth access token may have expired underneath: refresh once and retry.
        refreshed = true;
        if (await deps.authorization.refresh()) continue;
      }
      // A push with an expected tip is never rebased over a moved branch (the engines already
      // refuse it with PUSH_TIP_MOVED; this keeps any other conflict from being retried).
      if (failure.retry === 'conflict' && request.expectedTip !== undefined) {
        await keepEntryIfUsable(lease);
        throw tipMoved(request.branch, request.expectedTip, 'unknown').error;
      }
      if (failure.retry === 'fatal') {
        if (failure.error.code === 'GIT_ENGINE_FAILED') await lease.discard();
        else if (!input.cold) await keepEntryIfUsable(lease);
        throw failure.error;
      }
      // A conflict comes after a complete fetch: the entry holds the old tip, fetch incrementally.
      if (failure.retry === 'conflict') lease.cold = false;
      // When the refusal said where the branch stands, the other writer has landed and the next
      // attempt builds on exactly that tip: it starts at once, since any wait only lets the tip
      // grow stale. Without that fact, backoff with jitter as before.
      knownTip = refusedAtTip(failure);
      if (attempt < maxAttempts && knownTip !== undefined) {
        emit({
          phase: 'retry',
          attempt,
          detail: `${failure.error.code}; the branch is at ${knownTip}`,
        });
      } else if (attempt < maxAttempts) {
        const delay = backoffDelay(attempt, backoff);
        emit({
          phase: 'retry',
          attempt,
          detail: `${failure.error.code}; next attempt in ${delay} ms`,
        });
        await sleep(delay, deps.signal);
      }
    }
  }
  // Every attempt ended cleanly (a refusal, a transient failure): the entry holds a consistent
  // tip, so the next push starts warm instead of cloning again.
  await keepEntryIfUsable(lease);
  const last = lastFailure?.error;
  if (lastFailure?.retry === 'transient' && last !== undefined) throw last;
  throw new CompanionError(
    'PUSH_CONFLICT_EXHAUSTED',
    `The branch "${request.branch}" moved on each of ${maxAttempts} attempts; the commit did not land.`,
    { data: { attempts: attempts.length } },
  );
}

/** After a clean refusal the entry is still consistent: mark it complete so it stays warm. */
async function keepEntryIfUsable(lease: Awaited<ReturnType<CloneCache['lease']>>): Promise<void> {
  await lease.complete().catch(() => undefined);
}
