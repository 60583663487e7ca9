import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultState } from './faults.js';
import type { StatusState } from './http/bdc-router.js';
import { readBody, sendJson } from './http/respond.js';
import type { PagingMode } from './rest/paging.js';

export interface AdminDependencies {
  readonly faults: FaultState;
  setStatus(state: StatusState): void;
  setVersion(version: string): void;
  setPaging(mode: PagingMode): void;
  setRateLimit(settings: boolean | { bucketSize: number; refillPerSecond: number }): void;
}

/**
 * `POST /__sim/faults` with one JSON action — the same faults as the programmatic handle, for
 * tests that drive the CLI-started simulator from another process:
 * `{"latency":200}`, `{"failNext":{"count":2,"status":503,"pathPrefix":"/rest","retryAfterSeconds":3}}`,
 * `{"resetNext":1}`, `{"stallHandshakes":true}`,
 * `{"raceNextPush":{"project":"DEMO","repo":"gitops","branch":"main"}}`, `{"clear":true}`.
 * `POST /__sim/state` sets `{"status":"MAINTENANCE"}`, `{"version":"10.1.0"}`, `{"paging":"skewed"}`,
 * `{"rateLimit":true}` or `{"rateLimit":{"bucketSize":3,"refillPerSecond":1}}`.
 * Not part of BDC: loopback-only, like the simulator itself.
 */
export async function handleAdmin(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  deps: AdminDependencies,
): Promise<void> {
  if (request.method !== 'POST') {
    sendJson(response, 405, { error: 'POST only' });
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse((await readBody(request, 64 * 1024)).toString('utf8')) as Record<
      string,
      unknown
    >;
  } catch {
    sendJson(response, 400, { error: 'body must be JSON' });
    return;
  }
  const { faults } = deps;
  if (path === '/__sim/faults') {
    if (typeof body['latency'] === 'number') faults.latency(body['latency']);
    const fail = body['failNext'] as
      | { count?: number; status?: number; pathPrefix?: string; retryAfterSeconds?: number }
      | undefined;
    if (fail && typeof fail.count === 'number' && typeof fail.status === 'number') {
      faults.failNext(fail.count, fail.status, {
        ...(fail.pathPrefix !== undefined ? { pathPrefix: fail.pathPrefix } : {}),
        ...(fail.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: fail.retryAfterSeconds }
          : {}),
      });
    }
    if (typeof body['resetNext'] === 'number') faults.resetNext(body['resetNext']);
    if (typeof body['stallHandshakes'] === 'boolean')
      faults.stallHandshakes(body['stallHandshakes']);
    const race = body['raceNextPush'] as
      { project?: string; repo?: string; branch?: string } | undefined;
    if (race?.project && race.repo && race.branch)
      faults.raceNextPush(race.project, race.repo, race.branch);
    if (body['clear'] === true) faults.clear();
    sendJson(response, 200, { ok: true });
    return;
  }
  if (path === '/__sim/state') {
    const status = body['status'];
    if (typeof status === 'string') {
      if (!['STARTING', 'FIRST_RUN', 'RUNNING', 'MAINTENANCE', 'ERROR'].includes(status)) {
        sendJson(response, 400, { error: 'unknown status' });
        return;
      }
      deps.setStatus(status as StatusState);
    }
    if (typeof body['version'] === 'string') deps.setVersion(body['version']);
    if (body['paging'] === 'normal' || body['paging'] === 'skewed') deps.setPaging(body['paging']);
    const rate = body['rateLimit'] as
      boolean | { bucketSize?: unknown; refillPerSecond?: unknown } | undefined;
    if (typeof rate === 'boolean') deps.setRateLimit(rate);
    else if (
      rate &&
      typeof rate.bucketSize === 'number' &&
      typeof rate.refillPerSecond === 'number' &&
      rate.bucketSize >= 1 &&
      rate.refillPerSecond > 0
    ) {
      deps.setRateLimit({ bucketSize: rate.bucketSize, refillPerSecond: rate.refillPerSecond });
    }
    sendJson(response, 200, { ok: true });
    return;
  }
  sendJson(response, 404, { error: 'unknown admin endpoint' });
}
