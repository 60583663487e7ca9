import { randomUUID } from 'node:crypto';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { WatchSettings } from '../../common/models/watch.js';
import type { BdcClient } from '../bdc/bdc-client.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { IncomingDelivery, InsertOutcome } from '../relay/delivery-store.js';
import { signBody } from '../relay/signature.js';
import { fetchCommitRange } from './commit-range.js';
import { readRefs, type RefReader } from './ref-advertisement.js';
import { diffRefs, type RefChange } from './ref-changes.js';
import { refsChangedBody } from './refs-changed-body.js';
import { dedupWindowMs, type WatchStore } from './watch-store.js';

type Json = Record<string, unknown>;

/** Longest pause after BDC said 429/503 (Retry-After may ask for more; it is then honoured). */
const MAX_BACKOFF_MS = 5 * 60_000;
/** How often project listings and repository details are read again. */
const REFRESH_LISTINGS_MS = 10 * 60_000;

export interface RefWatcherOptions {
  readonly installationId: string;
  readonly store: WatchStore;
  /** Read at each round, so `relay watch` changes (and `--off`) apply without a restart. */
  readonly settings: () => WatchSettings | undefined;
  /** Overrides the settings' interval (tests and benchmarks; user input is at least 5 s). */
  readonly intervalMs?: number;
  /** At most this many repositories are polled per interval (the rest in the next rounds). */
  readonly maxRepositoriesPerRound?: number;
  /** REST client for BDC (no automatic 429 waits: the watch backs off as a whole). */
  readonly bdc: BdcClient;
  readonly refs: RefReader;
  /** The signed-in user's name: the `actor` as far as it can be known. */
  readonly user: string;
  /** The installation's current webhook secret: events are signed as BDC signs them. */
  readonly secret: () => Promise<string>;
  readonly enqueue: (work: () => readonly IncomingDelivery[]) => Promise<InsertOutcome[]>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly logger?: Logger;
}

export interface RunningWatcher {
  /** Resolves after the next completed round (tests, `relay status` freshness). */
  nextRound(): Promise<void>;
  stop(): Promise<void>;
}

interface Repository {
  readonly key: string;
  readonly json: Json;
  readonly cloneUrl: string;
}

/** The interval in force: the override, else the settings (seconds). */
function intervalOf(options: RefWatcherOptions, settings: WatchSettings): number {
  return options.intervalMs ?? settings.intervalSeconds * 1000;
}

function httpCloneUrl(json: Json): string | undefined {
  const links = json['links'] as { clone?: { href?: unknown; name?: unknown }[] } | undefined;
  const http = links?.clone?.find((link) => link.name === 'http');
  return typeof http?.href === 'string' ? http.href : undefined;
}

function repositoryKeyOf(json: Json): string | undefined {
  const project = json['project'] as { key?: unknown } | undefined;
  return typeof project?.key === 'string' && typeof json['slug'] === 'string'
    ? `${project.key}/${json['slug']}`
    : undefined;
}

/** 429 from either endpoint, or BDC unavailable (503): back off instead of hammering. */
function busyWaitMs(error: unknown): number | undefined {
  if (!(error instanceof CompanionError)) return undefined;
  if (error.code === 'WATCH_BDC_BUSY' || error.code === 'BDC_RATE_LIMITED') {
    const wait = (error.data as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    return typeof wait === 'number' ? wait : 5_000;
  }
  if (error.code === 'BDC_UNAVAILABLE') {
    const status = (error.data as { status?: unknown } | undefined)?.status;
    return status === 503 ? 5_000 : undefined;
  }
  return undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Watch mode's loop: every interval, each watched repository's refs are read with one request
 * (spread over the interval with jitter, at most N per round), compared with the refs stored in
 * the database, and every change becomes the `repo:refs_changed` event BDC would have sent —
 * signed with the installation's secret and queued in the relay's durable queue together with
 * the new stored refs. docs/watch-mode.md describes the costs and the choices.
 */
export function startRefWatcher(options: RefWatcherOptions): RunningWatcher {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const { installationId, store } = options;
  const controller = new AbortController();
  const repositories = new Map<string, Repository>();
  let listedAt = -Infinity;
  let listedFor = '';
  let actor: Json | undefined;
  let cursor = 0;
  let backoffMs = 0;
  let roundWaiters: (() => void)[] = [];

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (controller.signal.aborted || ms <= 0) {
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        controller.signal.removeEventListener('abort', done);
        resolve();
      }
      controller.signal.addEventListener('abort', done, { once: true });
    });

  const repoPath = (key: string): string => {
    const [project, slug] = key.split('/') as [string, string];
    return `/rest/api/1.0/projects/${encodeURIComponent(project)}/repos/${encodeURIComponent(slug)}`;
  };

  async function loadActor(): Promise<Json> {
    if (actor !== undefined) return actor;
    try {
      actor = await options.bdc.getJson<Json>(
        `/rest/api/1.0/users/${encodeURIComponent(options.user)}`,
        {},
        controller.signal,
      );
    } catch (error) {
      if (busyWaitMs(error) !== undefined) throw error;
      // The user's slug may differ from the name; the name alone is still the truth.
      logger.warn('watch could not read the signed-in user', { error: message(error) });
      actor = { name: options.user };
    }
    return actor;
  }

  /** The repositories to poll: named ones and every repository of the named projects. */
  async function resolve(settings: WatchSettings): Promise<Repository[]> {
    const wanted = JSON.stringify([settings.repositories, settings.projects]);
    if (wanted !== listedFor || now() - listedAt >= REFRESH_LISTINGS_MS) {
      const found = new Map<string, Repository>();
      let complete = true;
      for (const project of settings.projects) {
        try {
          for await (const json of options.bdc.paged<Json>(
            `/rest/api/1.0/projects/${encodeURIComponent(project)}/repos`,
            {},
            { signal: controller.signal, limit: 100 },
          )) {
            const key = repositoryKeyOf(json);
            const cloneUrl = httpCloneUrl(json);
            if (key !== undefined && cloneUrl !== undefined)
              found.set(key, { key, json, cloneUrl });
          }
        } catch (error) {
          if (busyWaitMs(error) !== undefined) throw error;
          complete = false;
          await options.enqueue(() => {
            store.recordError(installationId, `project ${project}: ${message(error)}`, now());
            return [];
          });
        }
      }
      for (const key of settings.repositories) {
        if (found.has(key)) continue;
        try {
          const json = await options.bdc.getJson<Json>(repoPath(key), {}, controller.signal);
          const cloneUrl = httpCloneUrl(json);
          if (cloneUrl === undefined) throw new Error('BDC named no HTTP clone URL');
          found.set(key, { key, json, cloneUrl });
        } catch (error) {
          if (busyWaitMs(error) !== undefined) throw error;
          complete = false;
          await options.enqueue(() => {
            store.recordFailure(installationId, key, message(error), now());
            return [];
          });
        }
      }
      repositories.clear();
      for (const [key, repository] of found) repositories.set(key, repository);
      listedAt = now();
      listedFor = complete ? wanted : '';
      if (complete) {
        const keep = new Set(found.keys());
        await options.enqueue(() => {
          store.forgetOthers(installationId, keep);
          return [];
        });
      }
    }
    return [...repositories.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async function buildDelivery(
    repository: Repository,
    change: RefChange,
    secret: string,
    excludeForNewRef: string | undefined,
  ): Promise<IncomingDelivery> {
    const range = await fetchCommitRange(options.bdc, repository.key, change, {
      excludeForNewRef,
      signal: controller.signal,
    });
    const at = now();
    const body = refsChangedBody({
      at,
      actor: await loadActor(),
      repository: repository.json,
      change,
      ...range,
    });
    return {
      installationId,
      requestId: randomUUID(),
      eventKey: 'repo:refs_changed',
      repository: repository.key,
      contentType: 'application/json; charset=utf-8',
      signature: signBody(secret, body),
      body,
      receivedAt: at,
      source: 'companion-watch',
    };
  }

  /** One repository: read its refs, and queue an event per changed ref. */
  async function poll(
    repository: Repository,
    windowMs: number,
    counts: { events: number; deduplicated: number },
  ): Promise<void> {
    const advertised = await readRefs(options.refs, repository.cloneUrl, controller.signal);
    const current = advertised.refs;
    const head = advertised.head === undefined ? undefined : current.get(advertised.head);
    const stored = store.storedRefs(installationId, repository.key);
    if (stored === undefined) {
      await options.enqueue(() => {
        store.recordBaseline(installationId, repository.key, current, now());
        return [];
      });
      logger.info('watch baseline', { repository: repository.key, refs: current.size });
      return;
    }
    const changes = diffRefs(stored, current);
    if (changes.length === 0) return;
    const since = now() - windowMs;
    const built = new Map<RefChange, IncomingDelivery>();
    let secret: string | undefined;
    for (const change of changes) {
      if (store.seenBy(installationId, repository.key, change, 'webhook', since)) continue;
      secret ??= await options.secret();
      const exclude = change.ref === advertised.head ? undefined : head?.hash;
      built.set(change, await buildDelivery(repository, change, secret, exclude));
    }
    await options.enqueue(() => {
      const at = now();
      const queued: IncomingDelivery[] = [];
      for (const change of changes) {
        const delivery = built.get(change);
        // Checked again in the transaction: BDC's delivery may have been stored meanwhile.
        if (
          delivery === undefined ||
          store.seenBy(installationId, repository.key, change, 'webhook', since)
        ) {
          counts.deduplicated += 1;
          continue;
        }
        store.logChange(installationId, repository.key, change, 'watch', at);
        queued.push(delivery);
      }
      store.applyChanges(installationId, repository.key, changes, at);
      counts.events += queued.length;
      return queued;
    });
    logger.info('watch saw changes', {
      repository: repository.key,
      changes: changes.length,
      sent: built.size,
    });
  }

  async function round(settings: WatchSettings, intervalMs: number): Promise<void> {
    const roundStart = now();
    const all = await resolve(settings);
    const limit = Math.max(1, options.maxRepositoriesPerRound ?? all.length);
    const batch: Repository[] = [];
    for (let index = 0; index < Math.min(limit, all.length); index += 1) {
      batch.push(all[(cursor + index) % all.length] as Repository);
    }
    const windowMs = dedupWindowMs(intervalMs / 1000);
    const counts = { events: 0, deduplicated: 0 };
    const polled: string[] = [];
    for (const [index, repository] of batch.entries()) {
      if (controller.signal.aborted) return;
      // Spread the requests over the interval instead of bursting them at its start.
      await sleep(roundStart + (index / batch.length) * intervalMs - now());
      try {
        await poll(repository, windowMs, counts);
        polled.push(repository.key);
      } catch (error) {
        if (controller.signal.aborted) return;
        if (busyWaitMs(error) !== undefined) throw error;
        logger.warn('watch poll failed', { repository: repository.key, error: message(error) });
        await options.enqueue(() => {
          store.recordFailure(installationId, repository.key, message(error), now());
          return [];
        });
      }
      cursor = (cursor + 1) % Math.max(1, all.length);
    }
    await options.enqueue(() => {
      const at = now();
      for (const key of polled) store.recordPoll(installationId, key, at);
      store.recordRound(installationId, at, counts);
      store.pruneLog(at - windowMs);
      return [];
    });
  }

  const loop = (async () => {
    let last: WatchSettings | undefined;
    while (!controller.signal.aborted) {
      let settings = last;
      try {
        settings = options.settings();
      } catch (error) {
        // A settings file being rewritten by another process: keep what was read before.
        logger.warn('watch could not read its settings', { error: message(error) });
      }
      last = settings;
      const intervalMs = settings === undefined ? 15_000 : intervalOf(options, settings);
      const started = now();
      if (settings !== undefined) {
        try {
          await round(settings, intervalMs);
          backoffMs = 0;
        } catch (error) {
          if (controller.signal.aborted) break;
          const asked = busyWaitMs(error);
          if (asked === undefined) {
            logger.error('watch round failed', { error: message(error) });
          } else {
            backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(intervalMs, backoffMs * 2));
            const wait = Math.max(asked, backoffMs);
            logger.warn('watch backing off: Bitbucket is busy', { waitMs: wait });
            await options
              .enqueue(() => {
                store.recordError(installationId, message(error), now());
                return [];
              })
              .catch(() => undefined);
            await sleep(wait);
            continue;
          }
        }
      }
      const waiters = roundWaiters;
      roundWaiters = [];
      for (const waiter of waiters) waiter();
      // ±10 % jitter keeps many companions (and many rounds) from falling into step.
      const jitter = (random() - 0.5) * 0.2 * intervalMs;
      await sleep(started + intervalMs + jitter - now());
    }
  })();

  return {
    nextRound: () => new Promise<void>((resolve) => roundWaiters.push(resolve)),
    async stop() {
      controller.abort();
      await loop;
      for (const waiter of roundWaiters) waiter();
      roundWaiters = [];
    },
  };
}
