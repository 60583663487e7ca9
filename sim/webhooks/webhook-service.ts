import { randomUUID } from 'node:crypto';
import { bdcErrors, type BdcError } from '../http/bdc-errors.js';
import { paginate, parsePageRequest, type PagingMode } from '../rest/paging.js';
import { repoJson, userJson } from '../rest/representations.js';
import type { RestCall, WebhookRoutes, WebhookScope } from '../rest/rest-api.js';
import type { SimRepo, SimState } from '../state/sim-state.js';
import {
  afterFailure,
  afterSuccess,
  bdcBreakerDefaults,
  closedBreaker,
  isOpen,
  type BreakerSettings,
  type BreakerState,
} from './circuit-breaker.js';
import { postOnce } from './deliver.js';
import { hubSignature, PING_BODY, refsChangedBody, type RefChange } from './payloads.js';
import { pushCommits } from './push-commits.js';

export const KNOWN_EVENTS = [
  'repo:refs_changed',
  'repo:modified',
  'repo:forked',
  'repo:comment:added',
  'repo:comment:edited',
  'repo:comment:deleted',
  'repo:secret_detected',
  'mirror:repo_synchronized',
  'project:modified',
  'pr:opened',
  'pr:from_ref_updated',
  'pr:modified',
  'pr:merged',
  'pr:declined',
  'pr:deleted',
  'pr:reviewer:updated',
  'pr:reviewer:approved',
  'pr:reviewer:unapproved',
  'pr:reviewer:needs_work',
  'pr:reviewer:changes_requested',
  'pr:comment:added',
  'pr:comment:edited',
  'pr:comment:deleted',
] as const;

export interface StoredWebhook {
  readonly id: number;
  readonly projectKey: string;
  readonly repoSlug: string | undefined;
  name: string;
  url: string;
  events: string[];
  active: boolean;
  configuration: Record<string, string>;
  credentials: { username: string; password: string } | undefined;
  sslVerificationRequired: boolean;
  readonly createdDate: number;
  updatedDate: number;
  breaker: BreakerState;
}

export type InvocationOutcome = 'SUCCESS' | 'FAILURE' | 'ERROR' | 'SKIPPED';

/** One delivery attempt (or skip) as the simulator saw it, for tests and `/latest`. */
export interface WebhookInvocation {
  readonly id: number;
  readonly webhookId: number;
  readonly eventKey: string;
  readonly requestId: string;
  readonly url: string;
  readonly outcome: InvocationOutcome;
  readonly status?: number;
  readonly error?: string;
  readonly start: number;
  readonly finish: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WebhookServiceOptions {
  readonly state: SimState;
  readonly now: () => number;
  readonly baseUrl: () => string;
  readonly version: () => string;
  readonly buildNumber: () => string;
  readonly paging: () => PagingMode;
  /** The bare repository on disk (the payload's commits are read from it). */
  readonly repositoryPath: (repo: SimRepo) => string;
  readonly timeoutMs?: number;
  readonly breaker?: BreakerSettings;
}

/**
 * Repository and project webhooks: REST CRUD with BDC's validation quirks, signed deliveries of
 * `repo:refs_changed`, the `diagnostics:ping` test call, and the circuit breaker. No retries:
 * BDC drops what fails (docs/bdc-api-facts.md §4.5).
 */
export class WebhookService implements WebhookRoutes {
  private nextId = 1;
  private nextInvocation = 1;
  private readonly hooks = new Map<number, StoredWebhook>();
  private readonly invocations: WebhookInvocation[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly extraCas: string[] = [];
  private readonly closing = new AbortController();

  constructor(private readonly options: WebhookServiceOptions) {}

  trustCa(pem: string): void {
    this.extraCas.push(pem);
  }

  list(): readonly WebhookInvocation[] {
    return this.invocations;
  }

  webhooks(): readonly StoredWebhook[] {
    return [...this.hooks.values()];
  }

  /** Aborts deliveries in flight (a hanging receiver must not hold up shutdown). */
  async close(): Promise<void> {
    this.closing.abort();
    await this.idle();
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  async handle(call: RestCall, scope: WebhookScope, rest: string): Promise<void> {
    const method = call.method;
    if (rest === '' || rest === '/') {
      if (method === 'GET') return this.listHooks(call, scope);
      if (method === 'POST') return this.create(call, scope);
      return call.fail(bdcErrors.methodNotAllowed());
    }
    if (rest === '/test') {
      if (method !== 'POST') return call.fail(bdcErrors.methodNotAllowed());
      return this.testCall(call, scope);
    }
    const match = /^\/(\d+)(\/latest|\/statistics(?:\/summary)?)?$/.exec(rest);
    if (!match) return call.fail(bdcErrors.notFound(call.path));
    const hook = this.hooks.get(Number(match[1]));
    if (!hook || !inScope(hook, scope)) return call.fail(bdcErrors.noSuchWebhook(match[1]!));
    const sub = match[2];
    if (sub === '/latest') return this.latest(call, hook);
    if (sub !== undefined) return this.statistics(call, hook);
    if (method === 'GET') return call.json(200, this.json(hook));
    if (method === 'DELETE') {
      this.hooks.delete(hook.id);
      return call.empty(204);
    }
    if (method === 'PUT') return this.update(call, scope, hook);
    return call.fail(bdcErrors.methodNotAllowed());
  }

  /**
   * Fires `repo:refs_changed` to every active webhook of the repository and its project; resolves
   * once the deliveries have started (they are tracked by `idle()`).
   */
  async refsChanged(
    repo: SimRepo,
    actorName: string | undefined,
    changes: readonly RefChange[],
  ): Promise<void> {
    const { state } = this.options;
    const project = state.findProject(repo.projectKey);
    const actor = state.users.get(actorName ?? '') ?? state.users.values().next().value;
    if (!project || !actor) return;
    const targets = [...this.hooks.values()].filter(
      (hook) =>
        hook.active &&
        hook.events.includes('repo:refs_changed') &&
        hook.projectKey === project.key &&
        (hook.repoSlug === undefined || hook.repoSlug === repo.slug),
    );
    if (!targets.length) return;
    const date = this.options.now();
    const pushed = pushCommits(this.options.repositoryPath(repo), changes);
    this.track(
      pushed.then(
        () => undefined,
        () => undefined,
      ),
    );
    const body = refsChangedBody(
      date,
      userJson(actor, this.options.baseUrl()),
      repoJson(repo, project, this.options.baseUrl()),
      changes,
      await pushed,
    );
    for (const hook of targets) this.track(this.deliver(hook, 'repo:refs_changed', body));
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private headersFor(eventKey: string, body: string, secret: string | undefined) {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'User-Agent': `Atlassian HttpClient 4.2.0 / Bitbucket-${this.options.version()} (${this.options.buildNumber()}) / Default`,
      'X-Event-Key': eventKey,
      'X-Request-Id': randomUUID(),
    };
    if (secret !== undefined && secret !== '')
      headers['X-Hub-Signature'] = hubSignature(secret, body);
    return headers;
  }

  private async deliver(hook: StoredWebhook, eventKey: string, body: string): Promise<void> {
    const start = this.options.now();
    const headers = this.headersFor(eventKey, body, hook.configuration['secret']);
    if (hook.credentials) {
      const basic = Buffer.from(`${hook.credentials.username}:${hook.credentials.password}`);
      headers['Authorization'] = `Basic ${basic.toString('base64')}`;
    }
    const base = {
      webhookId: hook.id,
      eventKey,
      requestId: headers['X-Request-Id']!,
      url: hook.url,
      start,
      body,
      headers,
    };
    if (isOpen(hook.breaker, start)) {
      this.record({ ...base, outcome: 'SKIPPED', finish: start });
      return;
    }
    try {
      const result = await postOnce(hook.url, headers, Buffer.from(body), {
        timeoutMs: this.options.timeoutMs ?? 10_000,
        extraCas: this.extraCas,
        signal: this.closing.signal,
      });
      const ok = result.status >= 200 && result.status < 300;
      hook.breaker = ok
        ? afterSuccess()
        : afterFailure(hook.breaker, this.options.now(), this.breakerSettings());
      this.record({
        ...base,
        outcome: ok ? 'SUCCESS' : 'FAILURE',
        status: result.status,
        finish: this.options.now(),
      });
    } catch (error) {
      hook.breaker = afterFailure(hook.breaker, this.options.now(), this.breakerSettings());
      this.record({
        ...base,
        outcome: 'ERROR',
        error: error instanceof Error ? error.message : String(error),
        finish: this.options.now(),
      });
    }
  }

  private breakerSettings(): BreakerSettings {
    return this.options.breaker ?? bdcBreakerDefaults;
  }

  private record(invocation: Omit<WebhookInvocation, 'id'>): void {
    this.invocations.push({ id: this.nextInvocation++, ...invocation });
  }

  private json(hook: StoredWebhook): Record<string, unknown> {
    return {
      id: hook.id,
      name: hook.name,
      createdDate: hook.createdDate,
      updatedDate: hook.updatedDate,
      events: hook.events,
      configuration: hook.configuration,
      url: hook.url,
      active: hook.active,
      scopeType: hook.repoSlug === undefined ? 'project' : 'repository',
      sslVerificationRequired: hook.sslVerificationRequired,
    };
  }

  private listHooks(call: RestCall, scope: WebhookScope): void {
    const event = call.query.get('event');
    const hooks = [...this.hooks.values()]
      .filter((hook) => inScope(hook, scope))
      .filter((hook) => !event || hook.events.includes(event))
      .map((hook) => this.json(hook));
    call.json(200, paginate(hooks, parsePageRequest(call.query), this.options.paging()));
  }

  private async parse(call: RestCall): Promise<ParsedWebhook | undefined> {
    let raw: unknown;
    try {
      raw = JSON.parse((await call.body()).toString('utf8'));
    } catch {
      call.fail(bdcErrors.validation(null, 'The request body could not be parsed as JSON.'));
      return undefined;
    }
    const result = validateWebhook(raw);
    if ('error' in result) {
      call.fail(result.error);
      return undefined;
    }
    return result.value;
  }

  private async create(call: RestCall, scope: WebhookScope): Promise<void> {
    const parsed = await this.parse(call);
    if (!parsed) return;
    const now = this.options.now();
    const hook: StoredWebhook = {
      id: this.nextId++,
      projectKey: scope.project.key,
      repoSlug: scope.repo?.slug,
      ...parsed,
      createdDate: now,
      updatedDate: now,
      breaker: closedBreaker,
    };
    this.hooks.set(hook.id, hook);
    call.json(200, this.json(hook));
  }

  private async update(call: RestCall, _scope: WebhookScope, hook: StoredWebhook): Promise<void> {
    const parsed = await this.parse(call);
    if (!parsed) return;
    Object.assign(hook, parsed, { updatedDate: this.options.now(), breaker: closedBreaker });
    call.json(200, this.json(hook));
  }

  private latest(call: RestCall, hook: StoredWebhook): void {
    const outcome = call.query.get('outcome');
    const event = call.query.get('event');
    const found = [...this.invocations]
      .reverse()
      .find(
        (invocation) =>
          invocation.webhookId === hook.id &&
          invocation.outcome !== 'SKIPPED' &&
          (!event || invocation.eventKey === event) &&
          (!outcome || invocation.outcome === outcome),
      );
    if (!found) return call.empty(204);
    call.json(200, {
      id: found.id,
      event: found.eventKey,
      duration: found.finish - found.start,
      start: found.start,
      finish: found.finish,
      request: { url: found.url, method: 'POST' },
      result: {
        outcome: found.outcome,
        description: found.status !== undefined ? String(found.status) : (found.error ?? ''),
      },
    });
  }

  private statistics(call: RestCall, hook: StoredWebhook): void {
    const mine = this.invocations.filter((invocation) => invocation.webhookId === hook.id);
    const count = (outcome: InvocationOutcome) =>
      mine.filter((invocation) => invocation.outcome === outcome).length;
    call.json(200, {
      successes: count('SUCCESS'),
      failures: count('FAILURE'),
      errors: count('ERROR'),
      skipped: count('SKIPPED'),
      consecutiveFailures: hook.breaker.failures,
      circuitOpenUntil: hook.breaker.openUntil || null,
    });
  }

  private async testCall(call: RestCall, scope: WebhookScope): Promise<void> {
    let url = call.query.get('url');
    const webhookId = call.query.get('webhookId');
    let credentials: { username: string; password: string } | undefined;
    if (webhookId !== null) {
      const hook = this.hooks.get(Number(webhookId));
      if (!hook || !inScope(hook, scope)) return call.fail(bdcErrors.noSuchWebhook(webhookId));
      url ??= hook.url;
      credentials = hook.credentials;
    }
    if (url === null || !isWebhookUrl(url)) {
      return call.fail(bdcErrors.validation('url', 'A valid URL must be provided.'));
    }
    // The body may carry Basic credentials for the test (the OpenAPI's RestWebhookCredentials).
    credentials = testCredentials(await call.body()) ?? credentials;
    // The ping is unsigned: the test takes a URL and credentials, never a secret
    // (docs/bdc-rest-reference.md, "The webhook test call").
    const headers = this.headersFor('diagnostics:ping', PING_BODY, undefined);
    if (credentials) {
      const basic = Buffer.from(`${credentials.username}:${credentials.password}`);
      headers['Authorization'] = `Basic ${basic.toString('base64')}`;
    }
    try {
      const result = await postOnce(url, headers, Buffer.from(PING_BODY), {
        timeoutMs: this.options.timeoutMs ?? 10_000,
        extraCas: this.extraCas,
        signal: this.closing.signal,
      });
      call.json(200, {
        request: { url, method: 'POST', headers, body: PING_BODY },
        result: { status: result.status, headers: result.headers, body: result.body },
      });
    } catch (error) {
      call.json(200, {
        request: { url, method: 'POST', headers, body: PING_BODY },
        result: { error: error instanceof Error ? error.message : String(error) },
      });
    }
  }
}

function testCredentials(body: Buffer): { username: string; password: string } | undefined {
  if (body.length === 0) return undefined;
  try {
    const value = JSON.parse(body.toString('utf8')) as Record<string, unknown> | null;
    if (typeof value?.['username'] === 'string' && typeof value['password'] === 'string') {
      return { username: value['username'], password: value['password'] };
    }
  } catch {
    // Not JSON: no credentials, as BDC ignores an unreadable optional body.
  }
  return undefined;
}

function inScope(hook: StoredWebhook, scope: WebhookScope): boolean {
  return hook.projectKey === scope.project.key && hook.repoSlug === scope.repo?.slug;
}

function isWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

interface ParsedWebhook {
  name: string;
  url: string;
  events: string[];
  active: boolean;
  configuration: Record<string, string>;
  credentials: { username: string; password: string } | undefined;
  sslVerificationRequired: boolean;
}

type Validation = { value: ParsedWebhook } | { error: BdcError };

/** BDC's rules for a webhook body, including the 500 on an empty secret (docs/bdc-api-facts.md §4.1). */
export function validateWebhook(raw: unknown): Validation {
  if (typeof raw !== 'object' || raw === null) {
    return { error: bdcErrors.validation(null, 'A webhook definition is required.') };
  }
  const body = raw as Record<string, unknown>;
  const name = body['name'];
  if (typeof name !== 'string' || name.trim() === '' || name.length > 255) {
    return {
      error: bdcErrors.validation('name', 'The name should be between 1 and 255 characters.'),
    };
  }
  const url = body['url'];
  if (typeof url !== 'string' || !isWebhookUrl(url)) {
    return { error: bdcErrors.validation('url', 'A valid URL must be provided.') };
  }
  const events = body['events'];
  if (!Array.isArray(events) || events.length === 0) {
    return { error: bdcErrors.validation('events', 'At least one event must be provided.') };
  }
  for (const event of events) {
    if (typeof event !== 'string' || !(KNOWN_EVENTS as readonly string[]).includes(event)) {
      return {
        error: bdcErrors.validation('events', `${String(event)} is not a valid webhook event.`),
      };
    }
  }
  const configuration: Record<string, string> = {};
  const rawConfiguration = body['configuration'];
  if (rawConfiguration !== undefined && rawConfiguration !== null) {
    if (typeof rawConfiguration !== 'object') {
      return { error: bdcErrors.validation('configuration', 'configuration must be an object.') };
    }
    for (const [key, value] of Object.entries(rawConfiguration as Record<string, unknown>)) {
      if (typeof value === 'string') configuration[key] = value;
    }
    if (configuration['secret'] === '') {
      // Real BDC fails deep inside with a server error instead of a validation message.
      return {
        error: bdcErrors.serverError(
          'An error occurred while processing the request. Check the server logs for more information.',
          'java.lang.IllegalArgumentException',
        ),
      };
    }
  }
  const rawCredentials = body['credentials'] as Record<string, unknown> | undefined | null;
  const credentials =
    rawCredentials &&
    typeof rawCredentials['username'] === 'string' &&
    typeof rawCredentials['password'] === 'string'
      ? { username: rawCredentials['username'], password: rawCredentials['password'] }
      : undefined;
  return {
    value: {
      name,
      url,
      events: [...new Set(events as string[])],
      active: body['active'] !== false,
      configuration,
      credentials,
      sslVerificationRequired: body['sslVerificationRequired'] !== false,
    },
  };
}
