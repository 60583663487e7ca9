import {
  claimReachNonce,
  issueReachNonce,
  REACH_PARAMETER,
  REACH_TTL_MS,
  reachProven,
} from '../../../core/relay/proof-of-reach.js';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import type { RelayEvent } from '../../../common/models/relay.js';
import { DeliveryStore } from '../../../core/relay/delivery-store.js';
import { createHttpTransport } from '../../../core/relay/forward-transport.js';
import { startRelay, type RunningRelay } from '../../../core/relay/relay.js';
import {
  deliveryDetail,
  listDeliveries,
  relayStatus,
  replayDeadDeliveries,
  replayDelivery,
} from '../../../core/relay/relay-queries.js';
import { signBody } from '../../../core/relay/signature.js';
import { isCompanionError } from '../../../common/errors/companion-error.js';
import { makePki } from '../net/test-pki.js';
import {
  postDelivery,
  refsChangedBody,
  startReceiver,
  tempHome,
  waitFor,
} from './relay-fixture.js';

const SECRET = 'Gkvl$k$wyNpQAF42';
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: {
    bodyLimitBytes?: number;
    allowedEvents?: string[];
    secrets?: () => string[];
    /** Changes the database before the relay starts (to break its bookkeeping). */
    prepare?: (database: ReturnType<typeof tempHome>['database']) => void;
  } = {},
) {
  const receiver = await startReceiver();
  cleanups.push(() => receiver.close());
  const home = tempHome();
  cleanups.push(() => home.cleanup());
  options.prepare?.(home.database);
  const agent = new Agent();
  cleanups.push(() => agent.close());
  const events: RelayEvent[] = [];
  const relay: RunningRelay = await startRelay({
    database: home.database,
    installation: {
      id: 'inst-1',
      platformBaseUrl: receiver.url,
      platformInstallationId: 'plat-42',
      ...(options.allowedEvents ? { allowedEvents: options.allowedEvents } : {}),
    },
    loadSecrets: async () => (options.secrets ? options.secrets() : [SECRET]),
    transport: createHttpTransport(agent),
    listen: { host: '127.0.0.1', port: 0 },
    retry: { initialDelayMs: 20, maxDelayMs: 100, maxAgeMs: 60_000 },
    pollIntervalMs: 50,
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
  });
  cleanups.push(() => relay.close());
  relay.subscribe((event) => events.push(event));
  return { receiver, home, relay, events, url: relay.webhookUrl };
}

describe('relay', () => {
  it('keeps relaying when its heartbeat cannot be recorded', async () => {
    const { receiver, url, relay } = await setup({
      prepare: (database) => database.exec('DROP TABLE relay_runs'),
    });
    const body = refsChangedBody('PRJ', 'repo', 'b'.repeat(40));
    expect((await postDelivery(url, body, { secret: SECRET })).status).toBe(200);
    await waitFor(() => receiver.received.length === 1, 10_000, 'the forwarded delivery');
    await relay.close();
  });

  it('forwards a verified delivery byte-exact with its headers', async () => {
    const { receiver, url, relay, home } = await setup();
    const body = refsChangedBody('PRJ', 'repo', 'a'.repeat(40));
    const response = await postDelivery(url, body, { secret: SECRET, requestId: 'req-1' });
    expect(response.status).toBe(200);
    await waitFor(() => receiver.received.length === 1, 5000, 'the forwarded delivery');
    const [forwarded] = receiver.received;
    expect(forwarded?.body.equals(body)).toBe(true);
    expect(forwarded?.headers['x-hub-signature']).toBe(signBody(SECRET, body));
    expect(forwarded?.headers['x-event-key']).toBe('repo:refs_changed');
    expect(forwarded?.headers['x-request-id']).toBe('req-1');
    expect(forwarded?.headers['content-type']).toBe('application/json; charset=utf-8');
    await waitFor(() => relay.status().lastDeliveredAt !== undefined, 5000, 'status');
    const status = relayStatus(home.database, 'inst-1');
    expect(status).toMatchObject({ pending: 0, delivered: 1, dead: 0, rejectedSignatures: 0 });
    expect(status.lastReceivedAt).toBeDefined();
    const [delivery] = listDeliveries(home.database, 'inst-1', { state: 'delivered' });
    expect(delivery).toMatchObject({ requestId: 'req-1', repository: 'PRJ/repo', attempts: 1 });
    const detail = deliveryDetail(home.database, 'inst-1', delivery!.id);
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]).toMatchObject({
      status: 202,
      outcome: 'delivered',
      responseExcerpt: '{"accepted":true}',
    });
    expect(detail.headers['X-Hub-Signature']).not.toBe(signBody(SECRET, body));
  });

  it('refuses a missing or wrong signature with 401, counts it and forwards nothing', async () => {
    const { receiver, url, home, events } = await setup();
    const body = refsChangedBody('PRJ', 'repo', 'b'.repeat(40));
    expect((await postDelivery(url, body, { signature: null })).status).toBe(401);
    expect((await postDelivery(url, body, { secret: 'wrong' })).status).toBe(401);
    expect((await postDelivery(url, body, { signature: 'sha256=zz' })).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.received).toHaveLength(0);
    expect(listDeliveries(home.database, 'inst-1')).toHaveLength(0);
    expect(relayStatus(home.database, 'inst-1').rejectedSignatures).toBe(3);
    expect(events.filter((event) => event.kind === 'rejected')).toHaveLength(3);
  });

  it('answers 413 above the body limit and accepts a body exactly at it', async () => {
    const { url, receiver } = await setup({ bodyLimitBytes: 4096 });
    const atLimit = Buffer.alloc(4096, 0x20);
    atLimit.write('{"x":1}');
    expect((await postDelivery(url, atLimit, { secret: SECRET })).status).toBe(200);
    const over = Buffer.alloc(4097, 0x20);
    expect((await postDelivery(url, over, { secret: SECRET })).status).toBe(413);
    await waitFor(() => receiver.received.length === 1, 5000, 'the delivery at the limit');
  });

  it('10 MiB + 1 byte is refused with 413 by default', async () => {
    const { url } = await setup();
    const body = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
    expect((await postDelivery(url, body, { secret: SECRET })).status).toBe(413);
  });

  it('answers every diagnostics:ping, but records "BDC reached the relay" only for a live one-time nonce', async () => {
    const { url, home, receiver } = await setup();
    const ping = (target: string, options: { secret?: string } = {}) =>
      postDelivery(target, Buffer.from('{"test": true}'), {
        eventKey: 'diagnostics:ping',
        ...(options.secret !== undefined ? { secret: options.secret } : { signature: null }),
      });
    // Anyone can send BDC's unsigned ping; it is answered and proves nothing.
    expect((await ping(url)).status).toBe(200);
    expect((await ping(`${url}?${REACH_PARAMETER}=guessed`)).status).toBe(200);
    // A correctly signed ping is the same bytes every time (replayable): not a proof either.
    expect((await ping(url, { secret: SECRET })).status).toBe(200);
    expect(relayStatus(home.database, 'inst-1').lastPingAt).toBeUndefined();

    const other = issueReachNonce(home.database, 'inst-2', url, Date.now());
    expect((await ping(other.testUrl)).status).toBe(200);
    expect(relayStatus(home.database, 'inst-1').lastPingAt).toBeUndefined();

    const issued = issueReachNonce(home.database, 'inst-1', url, Date.now());
    expect(reachProven(home.database, 'inst-1', issued.nonce)).toBe(false);
    expect((await ping(issued.testUrl)).status).toBe(200);
    expect(reachProven(home.database, 'inst-1', issued.nonce)).toBe(true);
    expect(relayStatus(home.database, 'inst-1').lastPingAt).toBeDefined();
    // Used once: a replay of the same URL is answered and not counted again.
    expect((await ping(issued.testUrl)).status).toBe(200);
    const pings = home.database
      .prepare(
        `SELECT count FROM relay_counters WHERE installation_id = 'inst-1' AND name = 'ping'`,
      )
      .get() as { count: number };
    expect(pings.count).toBe(1);

    const wronglySigned = await ping(url, { secret: 'wrong' });
    expect(wronglySigned.status).toBe(401);
    expect(receiver.received).toHaveLength(0);
  });

  it('an expired nonce proves nothing', async () => {
    const { url, home } = await setup();
    const issued = issueReachNonce(home.database, 'inst-1', url, Date.now() - REACH_TTL_MS - 1);
    await postDelivery(issued.testUrl, Buffer.from('{"test": true}'), {
      eventKey: 'diagnostics:ping',
      signature: null,
    });
    expect(reachProven(home.database, 'inst-1', issued.nonce)).toBe(false);
    expect(claimReachNonce(home.database, 'inst-1', undefined, Date.now())).toBe(false);
  });

  it('acknowledges and drops events outside the allowlist; the allowlist is configurable', async () => {
    const { url, home, receiver } = await setup({
      allowedEvents: ['repo:refs_changed', 'pr:opened'],
    });
    const body = Buffer.from('{"eventKey":"repo:modified"}');
    expect(
      (await postDelivery(url, body, { secret: SECRET, eventKey: 'repo:modified' })).status,
    ).toBe(200);
    const pr = Buffer.from('{"eventKey":"pr:opened"}');
    expect((await postDelivery(url, pr, { secret: SECRET, eventKey: 'pr:opened' })).status).toBe(
      200,
    );
    await waitFor(() => receiver.received.length === 1, 5000, 'the allowed event');
    expect(receiver.received[0]?.headers['x-event-key']).toBe('pr:opened');
    expect(relayStatus(home.database, 'inst-1').dropped).toBe(1);
  });

  it('stores the same X-Request-Id once and counts the duplicate', async () => {
    const { url, home, receiver } = await setup();
    const body = refsChangedBody('PRJ', 'repo', 'c'.repeat(40));
    expect((await postDelivery(url, body, { secret: SECRET, requestId: 'same' })).status).toBe(200);
    expect((await postDelivery(url, body, { secret: SECRET, requestId: 'same' })).status).toBe(200);
    await waitFor(() => receiver.received.length === 1, 5000, 'one forward');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(1);
    expect(listDeliveries(home.database, 'inst-1')).toHaveLength(1);
    expect(relayStatus(home.database, 'inst-1').duplicates).toBe(1);
  });

  it('retries through a platform outage and delivers everything in order per repository', async () => {
    const { url, home, receiver } = await setup();
    receiver.behave({ kind: 'status', status: 503 });
    const sent: Record<string, string[]> = { 'A/one': [], 'B/two': [] };
    for (let index = 0; index < 10; index += 1) {
      const [project, slug] = index % 2 === 0 ? ['A', 'one'] : ['B', 'two'];
      const marker = String(index).padStart(40, '0');
      sent[`${project}/${slug}`]!.push(marker);
      expect(
        (await postDelivery(url, refsChangedBody(project!, slug!, marker), { secret: SECRET }))
          .status,
      ).toBe(200);
    }
    await waitFor(
      () => relayStatus(home.database, 'inst-1').lastError !== undefined,
      5000,
      'a failed attempt',
    );
    expect(relayStatus(home.database, 'inst-1')).toMatchObject({ pending: 10, delivered: 0 });
    expect(relayStatus(home.database, 'inst-1').lastError?.message).toContain('503');
    receiver.behave({ kind: 'ok' });
    await waitFor(() => receiver.received.length === 10, 10_000, 'all deliveries after recovery');
    const arrived: Record<string, string[]> = { 'A/one': [], 'B/two': [] };
    for (const delivery of receiver.received) {
      const payload = JSON.parse(delivery.body.toString()) as {
        repository: { slug: string; project: { key: string } };
        changes: { toHash: string }[];
      };
      arrived[`${payload.repository.project.key}/${payload.repository.slug}`]!.push(
        payload.changes[0]!.toHash,
      );
    }
    expect(arrived).toEqual(sent);
  });

  it('keeps everything through 5xx and then an unreachable platform, and delivers in order after recovery', async () => {
    const { url, home, receiver } = await setup();
    const port = Number(new URL(receiver.url).port);
    receiver.behave({ kind: 'status', status: 500 });
    const sent: string[] = [];
    const post = async (index: number) => {
      const marker = String(index).padStart(40, '0');
      sent.push(marker);
      expect(
        (await postDelivery(url, refsChangedBody('ONE', 'repo', marker), { secret: SECRET }))
          .status,
      ).toBe(200);
    };
    for (let index = 0; index < 5; index += 1) await post(index);
    await waitFor(
      () => (relayStatus(home.database, 'inst-1').lastError?.message ?? '').includes('500'),
      5000,
      '500s',
    );
    await receiver.close();
    for (let index = 5; index < 10; index += 1) await post(index);
    await waitFor(
      () => !(relayStatus(home.database, 'inst-1').lastError?.message ?? '500').includes('500'),
      5000,
      'a network error',
    );
    expect(relayStatus(home.database, 'inst-1')).toMatchObject({
      pending: 10,
      delivered: 0,
      dead: 0,
    });
    const revived = await startReceiver(undefined, port);
    cleanups.push(() => revived.close());
    await waitFor(() => revived.received.length === 10, 10_000, 'every delivery after recovery');
    const order = revived.received.map(
      (delivery) =>
        (JSON.parse(delivery.body.toString()) as { changes: { toHash: string }[] }).changes[0]!
          .toHash,
    );
    expect(order).toEqual(sent);
  });

  it('serves HTTPS with a user-provided certificate', async () => {
    const pki = makePki('Relay Listener');
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const home = tempHome();
    cleanups.push(() => home.cleanup());
    const agent = new Agent({ connect: { ca: pki.root.certPem } });
    cleanups.push(() => agent.close());
    const relay = await startRelay({
      database: home.database,
      installation: {
        id: 'inst-1',
        platformBaseUrl: receiver.url,
        platformInstallationId: 'plat-42',
      },
      loadSecrets: async () => [SECRET],
      transport: createHttpTransport(new Agent()),
      listen: { host: '127.0.0.1', port: 0 },
      tls: { cert: pki.chainPem, key: pki.leaf.keyPem },
    });
    cleanups.push(() => relay.close());
    expect(relay.webhookUrl).toMatch(
      /^https:\/\/127\.0\.0\.1:\d+\/webhooks\/bitbucket-dc\/plat-42$/,
    );
    const body = refsChangedBody('P', 'r', '9'.repeat(40));
    const response = await request(relay.webhookUrl, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'x-event-key': 'repo:refs_changed', 'x-hub-signature': signBody(SECRET, body) },
      body,
    });
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    await waitFor(() => receiver.received.length === 1, 5000, 'forwarded over the TLS listener');
    await expect(
      startRelay({
        database: home.database,
        installation: { id: 'inst-2', platformBaseUrl: receiver.url, platformInstallationId: 'x' },
        loadSecrets: async () => [SECRET],
        transport: createHttpTransport(new Agent()),
        listen: { host: '127.0.0.1', port: 0 },
        tls: { cert: 'not a certificate', key: 'not a key' },
      }),
    ).rejects.toSatisfy((error: unknown) => isCompanionError(error, 'RELAY_TLS_INVALID'));
  }, 30_000);

  it('refuses a listen address in use with RELAY_LISTEN_FAILED', async () => {
    const { relay, home, receiver } = await setup();
    await expect(
      startRelay({
        database: home.database,
        installation: { id: 'inst-3', platformBaseUrl: receiver.url, platformInstallationId: 'y' },
        loadSecrets: async () => [SECRET],
        transport: createHttpTransport(new Agent()),
        listen: relay.listen,
      }),
    ).rejects.toSatisfy((error: unknown) => isCompanionError(error, 'RELAY_LISTEN_FAILED'));
  });

  it('dead-letters a 4xx at once, and replays dead and delivered deliveries', async () => {
    const { url, home, receiver } = await setup();
    receiver.behave({ kind: 'status', status: 422 });
    const body = refsChangedBody('PRJ', 'repo', 'd'.repeat(40));
    await postDelivery(url, body, { secret: SECRET, requestId: 'to-die' });
    await waitFor(() => relayStatus(home.database, 'inst-1').dead === 1, 5000, 'dead letter');
    const [dead] = listDeliveries(home.database, 'inst-1', { state: 'dead' });
    expect(dead).toMatchObject({ attempts: 1, requestId: 'to-die' });
    expect(dead?.lastError).toContain('422');
    expect(deliveryDetail(home.database, 'inst-1', dead!.id).attempts[0]?.responseExcerpt).toBe(
      'refused with 422',
    );

    receiver.behave({ kind: 'ok' });
    expect(replayDeadDeliveries(home.database, 'inst-1')).toEqual([dead!.id]);
    await waitFor(() => receiver.received.length === 1, 5000, 'the replayed dead letter');
    expect(receiver.received[0]?.body.equals(body)).toBe(true);
    await waitFor(() => relayStatus(home.database, 'inst-1').delivered === 1, 5000, 'delivered');

    const replayed = replayDelivery(home.database, 'inst-1', dead!.id);
    expect(replayed).toMatchObject({ state: 'pending', replays: 2 });
    await waitFor(() => receiver.received.length === 2, 5000, 'the replayed delivered one');
    expect(receiver.received[1]?.headers['x-request-id']).toBe('to-die');
    expect(() => replayDelivery(home.database, 'inst-1', 999)).toThrow(
      expect.objectContaining({ code: 'RELAY_DELIVERY_NOT_FOUND' }),
    );
  });

  it('honours Retry-After from a 429', async () => {
    const { url, home, receiver } = await setup();
    receiver.behave({ kind: 'status', status: 429, retryAfter: '1' });
    await postDelivery(url, refsChangedBody('P', 'r', 'e'.repeat(40)), { secret: SECRET });
    await waitFor(
      () => relayStatus(home.database, 'inst-1').lastError !== undefined,
      5000,
      'first 429',
    );
    const [delivery] = listDeliveries(home.database, 'inst-1');
    const due =
      Date.parse(delivery!.nextAttemptAt!) -
      Date.parse(relayStatus(home.database, 'inst-1').lastError!.at);
    expect(due).toBeGreaterThanOrEqual(990);
    receiver.behave({ kind: 'ok' });
    await waitFor(() => receiver.received.length === 1, 5000, 'delivery after Retry-After');
  });

  it('accepts a secret rotated by another process without refusing the first delivery', async () => {
    let secrets = ['old'];
    const { url, receiver } = await setup({ secrets: () => secrets });
    const body = refsChangedBody('P', 'r', 'f'.repeat(40));
    secrets = ['new', 'old'];
    expect((await postDelivery(url, body, { secret: 'new' })).status).toBe(200);
    await waitFor(
      () => receiver.received.length === 1,
      5000,
      'the delivery signed with the new secret',
    );
  });

  it('reports /healthz as up, and 404s other paths and installations', async () => {
    const { relay, url } = await setup();
    const health = await request(`${relay.url}/healthz`);
    expect(health.statusCode).toBe(200);
    expect(await health.body.json()).toEqual({ status: 'up' });
    const other = await postDelivery(url.replace('plat-42', 'other'), Buffer.from('{}'), {
      secret: SECRET,
    });
    expect(other.status).toBe(404);
    const get = await request(url);
    expect(get.statusCode).toBe(405);
    await get.body.dump();
  });

  it('emits live events for the UI: received, attempt, delivered', async () => {
    const { url, events, receiver } = await setup();
    await postDelivery(url, refsChangedBody('PRJ', 'ev', '7'.repeat(40)), { secret: SECRET });
    await waitFor(
      () => events.some((event) => event.kind === 'delivered'),
      5000,
      'delivered event',
    );
    const kinds = events.map((event) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(['received', 'attempt', 'delivered']));
    expect(kinds.indexOf('received')).toBeLessThan(kinds.indexOf('delivered'));
    expect(receiver.received).toHaveLength(1);
  });

  it('prunes delivered deliveries older than the retention period at start, never pending or dead ones', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const home = tempHome();
    cleanups.push(() => home.cleanup());
    const store = new DeliveryStore(home.database);
    const old = Date.now() - 3 * 24 * 60 * 60_000;
    const incoming = (requestId: string) => ({
      installationId: 'inst-1',
      requestId,
      eventKey: 'repo:refs_changed',
      repository: 'P/r',
      contentType: 'application/json',
      signature: undefined,
      body: Buffer.from('{}'),
      receivedAt: old,
    });
    const [delivered, dead] = store.insertMany([incoming('old-delivered'), incoming('old-dead')]);
    const idOf = (outcome: typeof delivered) =>
      outcome?.kind === 'stored' ? outcome.delivery.id : -1;
    const record = (id: number, step: Parameters<DeliveryStore['recordAttempt']>[1]['step']) =>
      store.recordAttempt('inst-1', {
        deliveryId: id,
        at: old,
        status: 200,
        latencyMs: 1,
        error: undefined,
        responseExcerpt: undefined,
        step,
      });
    record(idOf(delivered), { kind: 'delivered' });
    record(idOf(dead), { kind: 'dead', reason: 'refused' });
    const relay = await startRelay({
      database: home.database,
      installation: { id: 'inst-1', platformBaseUrl: receiver.url, platformInstallationId: 'p' },
      loadSecrets: async () => [SECRET],
      transport: createHttpTransport(new Agent()),
      listen: { host: '127.0.0.1', port: 0 },
      retentionDays: 1,
    });
    cleanups.push(() => relay.close());
    await waitFor(
      () => listDeliveries(home.database, 'inst-1', { state: 'delivered' }).length === 0,
      5000,
      'pruning',
    );
    expect(listDeliveries(home.database, 'inst-1', { state: 'dead' })).toHaveLength(1);
  });

  it('refuses to start without a webhook secret', async () => {
    await expect(setup({ secrets: () => [] })).rejects.toSatisfy((error: unknown) =>
      isCompanionError(error, 'WEBHOOK_SECRET_MISSING'),
    );
  });
});
