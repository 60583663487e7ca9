import type { Logger } from '../logging/logger.js';
import { silentLogger } from '../logging/logger.js';
import type { DeliveryStore, InsertOutcome, LaneHead } from './delivery-store.js';
import type { ForwardTransport } from './forward-transport.js';
import type { GroupCommit } from './group-commit.js';
import type { RelayEvents } from './relay-events.js';
import {
  DEFAULT_RETRY_POLICY,
  nextStep,
  type AttemptResult,
  type RetryPolicy,
} from './retry-policy.js';

export interface ForwarderOptions {
  readonly store: DeliveryStore;
  readonly commits: GroupCommit;
  readonly installationId: string;
  /** `{platform}/webhooks/bitbucket-dc/{platform installation id}` */
  readonly targetUrl: string;
  readonly transport: ForwardTransport;
  readonly events: RelayEvents;
  readonly policy?: RetryPolicy;
  /** Repositories forwarded at the same time (each repository is always one at a time). */
  readonly concurrency?: number;
  /** One attempt's deadline, response included. */
  readonly attemptTimeoutMs?: number;
  /** How often the queue is re-read when idle, to pick up replays made by another process. */
  readonly pollIntervalMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly logger?: Logger;
}

/** What the listener hands over to be forwarded while it is still being committed. */
export interface ExpeditedDelivery {
  readonly repository: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly receivedAt: number;
}

/**
 * Drains the durable queue to the platform.
 *
 * Order per repository: only the head of a repository's lane may be in flight, and the next one
 * is taken only after the head's outcome is committed, so the platform sees one repository's
 * pushes in the order BDC sent them, even across retries and restarts. Different repositories
 * go in parallel up to `concurrency`. An attempt cut short by a crash leaves the delivery
 * pending, so after a restart it is sent again with the same bytes and `X-Request-Id`.
 */
export class Forwarder {
  private readonly inFlight = new Map<string, AbortController>();
  private readonly policy: RetryPolicy;
  private readonly concurrency: number;
  private readonly attemptTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private running = false;
  private readonly settled = new Set<Promise<void>>();

  constructor(private readonly options: ForwarderOptions) {
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 15_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
  }

  start(): void {
    this.running = true;
    this.nudge();
  }

  /** Something changed (a delivery stored, an attempt finished): look at the queue soon. */
  nudge(): void {
    if (!this.running || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Stops taking work, aborts attempts in flight (they stay pending) and waits for them. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const controller of this.inFlight.values()) controller.abort();
    await Promise.allSettled([...this.settled]);
  }

  get activeRepositories(): number {
    return this.inFlight.size;
  }

  private pump(): void {
    if (!this.running) return;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    let heads: LaneHead[];
    try {
      heads = this.options.store.laneHeads(this.options.installationId);
    } catch (error) {
      this.logger.error('relay queue could not be read', { error: String(error) });
      this.schedule(this.pollIntervalMs);
      return;
    }
    const now = this.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const head of heads) {
      if (this.inFlight.has(head.repository)) continue;
      if (head.nextAttemptAt > now) {
        soonest = Math.min(soonest, head.nextAttemptAt);
        continue;
      }
      if (this.inFlight.size >= this.concurrency) break;
      this.launch(head);
    }
    const wait = Math.min(this.pollIntervalMs, Math.max(0, soonest - now));
    this.schedule(wait);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delayMs);
    this.timer.unref?.();
  }

  /**
   * The fast path for a delivery that has just arrived: when its repository's lane is empty, the
   * POST to the platform starts at once, while the delivery is still being committed, so
   * forwarding does not wait for the fsync. The acknowledgement to BDC still waits for the
   * commit; the attempt is recorded once both are done. A crash in between loses nothing: the
   * delivery was either not acknowledged, or it is pending and sent again after the restart.
   * Returns false when the delivery must take the normal path (lane busy or at capacity).
   */
  expedite(delivery: ExpeditedDelivery, stored: Promise<InsertOutcome>): boolean {
    if (!this.running || this.inFlight.size >= this.concurrency) return false;
    if (this.inFlight.has(delivery.repository)) return false;
    if (this.options.store.hasPending(this.options.installationId, delivery.repository))
      return false;
    this.options.commits.yieldBeforeCommit();
    this.track(delivery.repository, (controller) =>
      this.attempt(delivery, controller, async () => {
        const outcome = await stored;
        // A duplicate was stored (and forwarded) before: this send was a harmless repeat.
        return outcome.kind === 'stored'
          ? { id: outcome.delivery.id, attempts: 0, queuedAt: delivery.receivedAt }
          : undefined;
      }),
    );
    return true;
  }

  private launch(head: LaneHead): void {
    const outgoing = this.options.store.loadOutgoing(head.id);
    if (outgoing === undefined) return;
    this.track(head.repository, (controller) =>
      this.attempt(outgoing, controller, async () => outgoing),
    );
  }

  private track(repository: string, run: (controller: AbortController) => Promise<void>): void {
    const controller = new AbortController();
    this.inFlight.set(repository, controller);
    const work = run(controller)
      .catch((error: unknown) => {
        this.logger.error('relay attempt could not be recorded', {
          repository,
          error: String(error),
        });
      })
      .finally(() => {
        this.inFlight.delete(repository);
        this.settled.delete(work);
        this.nudge();
      });
    this.settled.add(work);
  }

  private async attempt(
    message: { readonly headers: Readonly<Record<string, string>>; readonly body: Buffer },
    controller: AbortController,
    identify: () => Promise<
      { readonly id: number; readonly attempts: number; readonly queuedAt: number } | undefined
    >,
  ): Promise<void> {
    const started = this.now();
    const startedHr = performance.now();
    const timeout = setTimeout(() => controller.abort(), this.attemptTimeoutMs);
    let result: AttemptResult;
    let excerpt: string | undefined;
    try {
      const response = await this.options.transport.send({
        url: this.options.targetUrl,
        headers: message.headers,
        body: message.body,
        signal: controller.signal,
      });
      result = {
        kind: 'response',
        status: response.status,
        ...(response.retryAfter === undefined ? {} : { retryAfter: response.retryAfter }),
      };
      excerpt = response.excerpt === '' ? undefined : response.excerpt;
    } catch (error) {
      result = { kind: 'network-error', message: describeNetworkError(error, controller) };
    } finally {
      clearTimeout(timeout);
    }
    const latencyMs = Math.round((performance.now() - startedHr) * 100) / 100;
    const outgoing = await identify();
    if (outgoing === undefined) return;
    // Stopping aborts the request: the delivery stays pending for the next start, unrecorded.
    if (!this.running && result.kind === 'network-error') return;
    const at = this.now();
    const step = nextStep(
      result,
      { failures: outgoing.attempts + 1, queuedAt: outgoing.queuedAt, now: at },
      this.policy,
      this.random,
    );
    const status = result.kind === 'response' ? result.status : undefined;
    const error =
      result.kind === 'network-error'
        ? result.message
        : step.kind === 'delivered'
          ? undefined
          : `the platform answered ${result.status}`;
    const installationId = this.options.installationId;
    // Recording is lazy: it shares the next delivery's commit. Lost in a crash, it only means
    // the delivery is sent once more, with the same X-Request-Id.
    await this.options.commits.run(
      () => {
        this.options.store.recordAttempt(installationId, {
          deliveryId: outgoing.id,
          at,
          status,
          latencyMs,
          error,
          responseExcerpt: excerpt,
          step,
        });
        if (step.kind === 'delivered') this.options.store.wakePending(installationId, at);
      },
      { lazy: true },
    );
    this.options.events.emit({
      kind: 'attempt',
      attempt: {
        deliveryId: outgoing.id,
        number: outgoing.attempts + 1,
        at: new Date(started).toISOString(),
        status,
        latencyMs,
        outcome: step.kind,
        error,
        responseExcerpt: excerpt,
      },
    });
    if (step.kind === 'delivered') {
      this.options.events.emit({
        kind: 'delivered',
        deliveryId: outgoing.id,
        at: new Date(at).toISOString(),
      });
    } else if (step.kind === 'dead') {
      this.logger.warn('relay delivery dead-lettered', {
        deliveryId: outgoing.id,
        reason: step.reason,
      });
      this.options.events.emit({ kind: 'dead', deliveryId: outgoing.id, reason: step.reason });
    } else {
      this.logger.info('relay delivery will be retried', {
        deliveryId: outgoing.id,
        at: new Date(step.at).toISOString(),
        error,
      });
    }
  }
}

function describeNetworkError(error: unknown, controller: AbortController): string {
  if (controller.signal.aborted) return 'the platform did not answer in time';
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail =
      typeof code === 'string' ? code : typeof cause?.code === 'string' ? cause.code : '';
    return detail === '' ? error.message : `${error.message} (${detail})`;
  }
  return String(error);
}
