import { connect, type Socket } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../../../core/relay/forward-transport.js';
import { startRelay, type StartRelayOptions } from '../../../core/relay/relay.js';
import { signBody } from '../../../core/relay/signature.js';
import {
  postDelivery,
  refsChangedBody,
  startReceiver,
  tempHome,
  waitFor,
} from './relay-fixture.js';

const SECRET = 'intake-secret';
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(overrides: Partial<StartRelayOptions> = {}) {
  const receiver = await startReceiver();
  cleanups.push(() => receiver.close());
  const home = tempHome();
  cleanups.push(() => home.cleanup());
  const agent = new Agent();
  cleanups.push(() => agent.close());
  const relay = await startRelay({
    database: home.database,
    installation: { id: 'inst-1', platformBaseUrl: receiver.url, platformInstallationId: 'p-1' },
    loadSecrets: async () => [SECRET],
    transport: createHttpTransport(agent),
    listen: { host: '127.0.0.1', port: 0 },
    pollIntervalMs: 50,
    ...overrides,
  });
  cleanups.push(() => relay.close());
  return { receiver, home, relay, url: relay.webhookUrl };
}

interface RawRequest {
  readonly socket: Socket;
  /** Resolves with the status line's code, or 'closed' when the relay hung up without one. */
  readonly status: Promise<number | 'closed'>;
}

/** Sends headers (and `bodyPart`, not the whole declared body) over a raw socket. */
function rawPost(
  url: string,
  headers: Record<string, string>,
  bodyPart: Buffer = Buffer.alloc(0),
  localAddress = '127.0.0.1',
): RawRequest {
  const target = new URL(url);
  const socket = connect({ host: '127.0.0.1', port: Number(target.port), localAddress });
  cleanups.push(() => void socket.destroy());
  socket.on('error', () => undefined);
  const head = [
    `POST ${target.pathname} HTTP/1.1`,
    `Host: ${target.host}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  socket.write(head);
  if (bodyPart.length > 0) socket.write(bodyPart);
  const status = new Promise<number | 'closed'>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    socket.on('close', () => resolve('closed'));
  });
  return { socket, status };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'no answer'> {
  return Promise.race([
    promise,
    new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), ms)),
  ]);
}

const NINE_MIB = String(9 * 1024 * 1024);

// Regression (issue 15 item 2): the relay read each body (up to 10 MiB) before it looked at the
// signature, and nothing bounded connections or bytes: 200 unsigned 9 MiB requests took it to 1.9 GB.
describe('relay intake before authentication', () => {
  it('refuses a missing or malformed signature from the headers, without waiting for the body', async () => {
    const { url, home } = await setup();
    for (const signature of [undefined, 'sha256=not-hex', 'sha1=' + 'a'.repeat(40)]) {
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Content-Length': NINE_MIB,
        'X-Event-Key': 'repo:refs_changed',
      };
      if (signature !== undefined) headers['X-Hub-Signature'] = signature;
      const { status } = rawPost(url, headers, Buffer.alloc(1024, 0x7b));
      expect(await within(status, 3000)).toBe(401);
    }
    // The refusals are counted for `relay status` (lazily: they ride along with the next commit).
    const rejected = () =>
      (
        home.database.prepare("SELECT count FROM relay_counters WHERE name = 'rejected'").get() as
          { count: number } | undefined
      )?.count ?? 0;
    await waitFor(() => rejected() === 3, 5000, 'the refusals counted');
  });

  it("answers BDC's unsigned test ping without reading its body, and stores no delivery", async () => {
    const { url, home } = await setup();
    const { status } = rawPost(url, {
      'Content-Type': 'application/json',
      'Content-Length': NINE_MIB,
      'X-Event-Key': 'diagnostics:ping',
    });
    expect(await within(status, 3000)).toBe(200);
    const rows = home.database.prepare('SELECT COUNT(*) AS n FROM relay_deliveries').get() as {
      n: number;
    };
    expect(rows.n).toBe(0);
  });

  it('bounds the body bytes held at once; small signed deliveries keep their own reserve', async () => {
    const { url, receiver } = await setup({
      intakeBudget: {
        sharedBytes: 1024 * 1024,
        smallReserveBytes: 256 * 1024,
        smallBodyBytes: 64 * 1024,
      },
    });
    const forged = {
      'Content-Type': 'application/json',
      'Content-Length': String(900 * 1024),
      'X-Event-Key': 'repo:refs_changed',
      'X-Hub-Signature': `sha256=${'0'.repeat(64)}`,
    };
    // A forged 900 KiB body, 600 KiB sent and then held, fills most of the shared pool ...
    const held = rawPost(url, forged, Buffer.alloc(600 * 1024, 0x20));
    expect(await within(held.status, 500)).toBe('no answer');
    // ... so the next large one is refused at once, before its body is read.
    const another = rawPost(url, forged);
    expect(await within(another.status, 3000)).toBe(503);
    // BDC's ordinary delivery still gets through while the pool is full.
    const body = refsChangedBody('PRJ', 'repo', 'c'.repeat(40));
    expect((await postDelivery(url, body, { secret: SECRET })).status).toBe(200);
    await waitFor(() => receiver.received.length === 1, 10_000, 'the forwarded delivery');
  });

  it('cuts off a body that stops arriving', async () => {
    const { url } = await setup({ bodyIdleTimeoutMs: 300 });
    const { status } = rawPost(
      url,
      {
        'Content-Type': 'application/json',
        'Content-Length': '100000',
        'X-Event-Key': 'repo:refs_changed',
        'X-Hub-Signature': `sha256=${'0'.repeat(64)}`,
      },
      Buffer.alloc(10, 0x20),
    );
    expect(await within(status, 3000)).toBe('closed');
  });

  it('caps connections per address before parsing anything; another host is still served', async () => {
    const { url } = await setup({ connectionLimits: { total: 100, perAddress: 3 } });
    const target = new URL(url);
    const open = (localAddress: string) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: Number(target.port), localAddress }, () =>
          resolve(socket),
        );
        socket.on('error', reject);
        cleanups.push(() => void socket.destroy());
      });
    for (let index = 0; index < 3; index += 1) await open('127.0.0.1');
    const fourth = await open('127.0.0.1');
    const closed = await within(
      new Promise<'closed'>((resolve) => fourth.once('close', () => resolve('closed'))),
      3000,
    );
    expect(closed).toBe('closed');
    const body = refsChangedBody('PRJ', 'repo', 'd'.repeat(40));
    const signature = signBody(SECRET, body);
    const other = rawPost(
      url,
      {
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
        'X-Event-Key': 'repo:refs_changed',
        'X-Hub-Signature': signature,
        'X-Request-Id': 'from-another-host',
      },
      body,
      '127.0.0.2',
    );
    expect(await within(other.status, 3000)).toBe(200);
  });
});

// Regression (issue 15, "Also"): a captured signed delivery replayed with a new X-Request-Id was
// stored and forwarded to the platform a second time.
describe('relay replay window', () => {
  it('records the same body and signature under a new request id as a duplicate, forwarded once', async () => {
    const { url, receiver } = await setup();
    const body = refsChangedBody('PRJ', 'repo', 'e'.repeat(40));
    const signature = signBody(SECRET, body);
    const first = await postDelivery(url, body, { signature, requestId: 'original' });
    expect(first.status).toBe(200);
    const replayed = await postDelivery(url, body, {
      signature: signature.replace(/[a-f]/g, (c) => c.toUpperCase()).replace('SHA256', 'sha256'),
      requestId: 'replayed',
    });
    expect(replayed.status).toBe(200);
    expect(JSON.parse(replayed.text)).toMatchObject({ duplicate: true });
    await waitFor(() => receiver.received.length === 1, 10_000, 'the forwarded delivery');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.headers['x-request-id']).toBe('original');
  });
});
