import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startPlatform,
  verify,
  type RunningPlatformStandIn,
} from '../../../sim/platform/platform-server.js';

let platform: RunningPlatformStandIn;
let dataDir: string;
let agent: Agent;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'platform-test-'));
  platform = await startPlatform({ dataDir, now: Date.now, webhookSecret: 's3cr3t' });
  agent = new Agent({ connect: { ca: platform.caPem } });
});
afterEach(() => {
  platform.setBehaviour({ kind: 'ok' });
  platform.clearDeliveries();
});
afterAll(async () => {
  await agent.close();
  await platform.close();
  await rm(dataDir, { recursive: true, force: true });
});

function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function deliver(
  body: string,
  options: { secret?: string; requestId?: string; installation?: string; timeoutMs?: number } = {},
): Promise<{ status: number; text: string }> {
  const response = await request(
    `${platform.url}/webhooks/bitbucket-dc/${options.installation ?? platform.installationId}`,
    {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-event-key': 'repo:refs_changed',
        'x-request-id': options.requestId ?? randomUUID(),
        'x-hub-signature': sign(options.secret ?? 's3cr3t', body),
      },
      body,
      ...(options.timeoutMs !== undefined
        ? { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs }
        : {}),
    },
  );
  return { status: response.statusCode, text: await response.body.text() };
}

describe('platform stand-in', () => {
  it('writes its own CA to platformCaFile, distinct from BDC’s', async () => {
    expect(await readFile(platform.caFile, 'utf8')).toBe(platform.caPem);
    expect(platform.caPem).toContain('BEGIN CERTIFICATE');
    expect(platform.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('verifies the signature with the installation’s secret and records the body byte-exact', async () => {
    const body = '{"eventKey":"repo:refs_changed","note":"ünïcödé  spaces"}';
    const ok = await deliver(body);
    expect(ok.status).toBe(202);
    const bad = await deliver(body, { secret: 'wrong' });
    expect(bad.status).toBe(401);
    const [good, forged] = platform.deliveries();
    expect(good!.signatureValid).toBe(true);
    expect(good!.body.equals(Buffer.from(body))).toBe(true);
    expect(good!.headers['x-event-key']).toBe('repo:refs_changed');
    expect(forged!.signatureValid).toBe(false);
  });

  it('checks the documented test vectors', () => {
    expect(
      verify(
        's3cr3t',
        Buffer.from('{"test":true}'),
        'sha256=fb5ae2ff34df84bac61e1fc1bd02da526cf29c8e0af411e2fb31c068315a97f9',
      ),
    ).toBe(true);
    expect(
      verify(
        'Gkvl$k$wyNpQAF42',
        Buffer.from('{"eventKey":"repo:refs_changed"}'),
        'sha256=9f364cfaa50afa27089f75226055b4dbf1e8f0d013d59b510f3e8c3041055fe7',
      ),
    ).toBe(true);
    expect(verify('s3cr3t', Buffer.from('{"test":true}'), 'sha256=00')).toBe(false);
    expect(verify('s3cr3t', Buffer.from('{"test":true}'), undefined)).toBe(false);
  });

  it('uses each installation’s own secret, and 404s unknown installations', async () => {
    platform.addInstallation('inst-second', 'other-secret');
    expect(
      (await deliver('{}', { installation: 'inst-second', secret: 'other-secret' })).status,
    ).toBe(202);
    expect((await deliver('{}', { installation: 'inst-second' })).status).toBe(401);
    expect((await deliver('{}', { installation: 'inst-missing' })).status).toBe(404);
  });

  it('counts duplicates by X-Request-Id and lists deliveries through the admin endpoint', async () => {
    const requestId = randomUUID();
    await deliver('{"n":1}', { requestId });
    await deliver('{"n":1}', { requestId });
    await deliver('{"n":2}');
    expect(platform.deliveries().map((delivery) => delivery.duplicate)).toEqual([
      false,
      true,
      false,
    ]);
    const response = await request(`${platform.url}/admin/deliveries`, { dispatcher: agent });
    const listing = (await response.body.json()) as {
      duplicates: number;
      deliveries: { bodyBase64: string; signatureValid: boolean }[];
    };
    expect(listing.duplicates).toBe(1);
    expect(Buffer.from(listing.deliveries[2]!.bodyBase64, 'base64').toString()).toBe('{"n":2}');
  });

  it('fails on demand: a status, slowness, and a hang (the client times out)', async () => {
    platform.setBehaviour({ kind: 'status', status: 503 });
    const requestId = randomUUID();
    expect((await deliver('{}', { requestId })).status).toBe(503);
    platform.setBehaviour({ kind: 'ok' });
    // A redelivery after a failure is not a duplicate: the first was never accepted.
    expect((await deliver('{}', { requestId })).status).toBe(202);
    expect(platform.deliveries().at(-1)!.duplicate).toBe(false);

    platform.setBehaviour({ kind: 'delay', delayMs: 300 });
    const started = performance.now();
    expect((await deliver('{}')).status).toBe(202);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);

    const setHang = await request(`${platform.url}/admin/behaviour`, {
      method: 'POST',
      dispatcher: agent,
      body: JSON.stringify({ kind: 'hang' }),
    });
    expect(setHang.statusCode).toBe(200);
    await setHang.body.dump();
    await expect(deliver('{}', { timeoutMs: 300 })).rejects.toThrow(/timeout/i);
    expect(platform.deliveries().at(-1)!.status).toBe(0);
  });
});
