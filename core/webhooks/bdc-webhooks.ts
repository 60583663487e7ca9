import { permissionNeed } from '../../common/auth/permission-needs.js';
import { CompanionError, isCompanionError } from '../../common/errors/companion-error.js';
import type { BdcClient } from '../bdc/bdc-client.js';
import {
  describeTarget,
  manualRemovalSteps,
  manualSteps,
  webhooksPath,
  type WebhookTarget,
} from './webhook-target.js';

/** A webhook as BDC lists it; `configuration` (which holds the secret) is never kept. */
export interface BdcWebhook {
  readonly id: number;
  readonly name: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly active: boolean;
}

export interface WebhookSpec {
  readonly name: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly secret: string;
}

/** BDC's own test call (`POST …/webhooks/test`): did its `diagnostics:ping` reach the URL? */
export interface WebhookTestResult {
  /** True when BDC got a 2xx from the URL. */
  readonly reached: boolean;
  readonly status: number | undefined;
  /** BDC's connection error (refused, timed out, certificate…) when there was no answer. */
  readonly error: string | undefined;
}

function toWebhook(raw: unknown): BdcWebhook {
  const value = (raw ?? {}) as Record<string, unknown>;
  return {
    id: Number(value['id']),
    name: typeof value['name'] === 'string' ? value['name'] : '',
    url: typeof value['url'] === 'string' ? value['url'] : '',
    events: Array.isArray(value['events'])
      ? value['events'].filter((e): e is string => typeof e === 'string')
      : [],
    active: value['active'] !== false,
  };
}

/**
 * Maps BDC's refusals to the webhook codes: a permission denial carries the manual steps, a
 * missing repository names it. Anything else keeps the REST client's code.
 */
async function guarded<T>(
  target: WebhookTarget,
  context: {
    readonly baseUrl: string;
    readonly relayUrl: string | undefined;
    /** Deleting: the manual steps say how to delete the webhook, not how to create it. */
    readonly removing?: boolean;
  },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isCompanionError(error, 'AUTH_PERMISSION_DENIED')) {
      throw new CompanionError(
        'WEBHOOK_PERMISSION_DENIED',
        // Named as the sign-in screens name it (common/auth/permission-needs.ts), with BDC's id.
        `BDC does not let ${String((error.data?.['user'] as string | undefined) ?? 'the signed-in user')} manage the webhooks of ${describeTarget(target)}: it needs ${permissionNeed('webhooks').token} (REPO_ADMIN${target.kind === 'project' ? '; project webhooks need Projects: Admin, PROJECT_ADMIN' : ''}).`,
        {
          cause: error,
          // The same facts in each surface's words: the desktop shows hintGui, the CLI hint.
          hint:
            context.removing === true
              ? manualRemovalSteps(context.baseUrl, target, 'cli')
              : manualSteps(context.baseUrl, target, context.relayUrl, 'cli'),
          hintGui:
            context.removing === true
              ? manualRemovalSteps(context.baseUrl, target, 'gui')
              : manualSteps(context.baseUrl, target, context.relayUrl, 'gui'),
          data: { target: describeTarget(target) },
        },
      );
    }
    if (isCompanionError(error, 'BDC_NOT_FOUND')) {
      throw new CompanionError(
        'WEBHOOK_REPO_NOT_FOUND',
        `BDC has no ${describeTarget(target)} visible to this user.`,
        {
          cause: error,
          data: { target: describeTarget(target) },
        },
      );
    }
    throw error;
  }
}

/** The webhook REST calls the companion makes, over the one authenticated BDC client. */
export class BdcWebhooks {
  constructor(
    private readonly client: BdcClient,
    private readonly relayUrl?: string,
  ) {}

  private context() {
    return { baseUrl: this.client.baseUrl, relayUrl: this.relayUrl };
  }

  /** `removing`: a refusal's manual steps say how to delete the webhook. */
  async list(target: WebhookTarget, removing = false): Promise<BdcWebhook[]> {
    return guarded(target, { ...this.context(), removing }, async () => {
      const hooks: BdcWebhook[] = [];
      for await (const raw of this.client.paged<unknown>(webhooksPath(target)))
        hooks.push(toWebhook(raw));
      return hooks;
    });
  }

  async get(target: WebhookTarget, id: number): Promise<BdcWebhook | undefined> {
    return guarded(target, this.context(), async () => {
      const response = await this.client.request<unknown>({
        path: `${webhooksPath(target)}/${id}`,
        accept: [404],
      });
      return response.status === 404 ? undefined : toWebhook(response.body);
    });
  }

  async create(target: WebhookTarget, spec: WebhookSpec): Promise<BdcWebhook> {
    return guarded(target, this.context(), async () => {
      const response = await this.client.request<unknown>({
        method: 'POST',
        path: webhooksPath(target),
        json: body(spec),
      });
      return toWebhook(response.body);
    });
  }

  /** PUT is a full update in BDC: every field is sent. Undefined when the webhook is gone. */
  async update(
    target: WebhookTarget,
    id: number,
    spec: WebhookSpec,
  ): Promise<BdcWebhook | undefined> {
    return guarded(target, this.context(), async () => {
      const response = await this.client.request<unknown>({
        method: 'PUT',
        path: `${webhooksPath(target)}/${id}`,
        json: body(spec),
        accept: [404],
      });
      return response.status === 404 ? undefined : toWebhook(response.body);
    });
  }

  async remove(target: WebhookTarget, id: number): Promise<boolean> {
    return guarded(target, { ...this.context(), removing: true }, async () => {
      const response = await this.client.request<unknown>({
        method: 'DELETE',
        path: `${webhooksPath(target)}/${id}`,
        accept: [404],
      });
      return response.status !== 404;
    });
  }

  async test(
    target: WebhookTarget,
    url: string,
    webhookId: number | undefined,
  ): Promise<WebhookTestResult> {
    return guarded(target, this.context(), async () => {
      const response = await this.client.request<unknown>({
        method: 'POST',
        path: `${webhooksPath(target)}/test`,
        query: {
          url,
          sslVerificationRequired: true,
          ...(webhookId === undefined ? {} : { webhookId }),
        },
      });
      return readTestResult(response.body);
    });
  }
}

function body(spec: WebhookSpec): Record<string, unknown> {
  return {
    name: spec.name,
    url: spec.url,
    events: spec.events,
    active: true,
    // An empty secret makes BDC answer 500 (docs/bdc-rest-reference.md, Registering webhooks); callers never pass one.
    configuration: { secret: spec.secret },
    sslVerificationRequired: true,
  };
}

/**
 * BDC's test answer carries the target's response (`result.status` or `statusCode` depending on
 * version) or a connection error; read whichever is there.
 */
export function readTestResult(raw: unknown): WebhookTestResult {
  const value = (raw ?? {}) as Record<string, unknown>;
  const result = (value['result'] ?? value['response'] ?? {}) as Record<string, unknown>;
  const candidates = [result['status'], result['statusCode'], value['statusCode'], value['status']];
  const status = candidates.find((candidate): candidate is number => typeof candidate === 'number');
  const errorValue = result['error'] ?? value['error'];
  const error =
    typeof errorValue === 'string'
      ? errorValue
      : typeof result['description'] === 'string' && status === undefined
        ? result['description']
        : undefined;
  return {
    reached: status !== undefined && status >= 200 && status < 300,
    status,
    error: error === undefined ? undefined : error.slice(0, 300),
  };
}

export { describeTarget };
