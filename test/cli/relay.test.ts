import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../core/relay/signature.js';
import { runCliInProcess } from '../helpers/cli-harness.js';
import { makePki, type TestPki } from '../core/net/test-pki.js';
import {
  postDelivery,
  refsChangedBody,
  startReceiver,
  waitFor,
} from '../core/relay/relay-fixture.js';
import { makeRelayHome, spawnRelay, type RelayProcess } from './relay-harness.js';

const SECRET = 'relay-cli-secret-0123456789';
let pki: TestPki;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(() => {
  pki = makePki('Relay CLI Platform');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function platformAndHome() {
  const receiver = await startReceiver({ cert: pki.chainPem, key: pki.leaf.keyPem });
  cleanups.push(() => receiver.close());
  const home = makeRelayHome({
    platformUrl: receiver.url,
    platformCaPem: pki.root.certPem,
    platformInstallationId: 'plat-7',
    secret: SECRET,
  });
  cleanups.push(() => home.cleanup());
  return { receiver, home };
}

function stopLater(relay: RelayProcess): void {
  cleanups.push(async () => {
    if (relay.child.exitCode === null) {
      relay.child.kill('SIGKILL');
      await relay.exited;
    }
  });
}

describe('relay commands', () => {
  it('relay run forwards over HTTPS trusting the platform CA; status, deliveries and replay work from another process; SIGTERM exits 0', async () => {
    const { receiver, home } = await platformAndHome();
    const relay = spawnRelay(['corp', '--listen', '127.0.0.1:0'], home.env);
    stopLater(relay);
    const ready = await relay.ready;
    expect(ready).toMatchObject({ ok: true, ready: true });
    expect(ready['listen']).toMatch(/^127\.0\.0\.1:\d+$/);
    const url = String(ready['url']);
    expect(url).toMatch(/\/webhooks\/bitbucket-dc\/plat-7$/);
    expect(ready['target']).toBe(`${receiver.url}/webhooks/bitbucket-dc/plat-7`);

    const body = refsChangedBody('PRJ', 'repo', '1'.repeat(40));
    expect((await postDelivery(url, body, { secret: SECRET, requestId: 'cli-1' })).status).toBe(
      200,
    );
    expect((await postDelivery(url, body, { secret: 'wrong' })).status).toBe(401);
    await waitFor(() => receiver.received.length === 1, 10_000, 'the forwarded delivery');
    expect(receiver.received[0]?.body.equals(body)).toBe(true);
    expect(receiver.received[0]?.headers['x-hub-signature']).toBe(signBody(SECRET, body));

    let status: Record<string, unknown> = {};
    for (let tries = 0; tries < 50; tries += 1) {
      const run = await runCliInProcess(['relay', 'status', 'corp', '--json'], { env: home.env });
      expect(run.code).toBe(0);
      status = JSON.parse(run.stdout) as Record<string, unknown>;
      if (status['lastDeliveredAt'] !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toMatchObject({
      ok: true,
      running: true,
      processes: [{ pid: relay.child.pid, url: `http://${String(ready['listen'])}` }],
      lastRun: null,
      pending: 0,
      dead: 0,
      lastError: null,
      rejectedSignatures: 1,
    });
    expect(typeof status['lastReceivedAt']).toBe('string');
    expect(typeof status['lastDeliveredAt']).toBe('string');
    expect(status).toHaveProperty('oldestPendingAgeMs', null);

    const listed = await runCliInProcess(
      ['relay', 'deliveries', 'corp', '--state', 'delivered', '--json'],
      {
        env: home.env,
      },
    );
    const deliveries = (
      JSON.parse(listed.stdout) as { deliveries: { id: number; requestId: string }[] }
    ).deliveries;
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.requestId).toBe('cli-1');

    const replay = await runCliInProcess(
      ['relay', 'replay', 'corp', String(deliveries[0]?.id), '--json'],
      {
        env: home.env,
      },
    );
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual({ ok: true, replayed: [deliveries[0]?.id] });
    await waitFor(() => receiver.received.length === 2, 10_000, 'the replayed delivery');
    expect(receiver.received[1]?.headers['x-request-id']).toBe('cli-1');

    const shown = await runCliInProcess(
      ['relay', 'show', 'corp', String(deliveries[0]?.id), '--json'],
      {
        env: home.env,
      },
    );
    expect(JSON.parse(shown.stdout).attempts.length).toBeGreaterThanOrEqual(1);

    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    const after = await runCliInProcess(['relay', 'status', 'corp', '--json'], { env: home.env });
    expect(JSON.parse(after.stdout)).toMatchObject({
      running: false,
      processes: [],
      lastRun: { pid: relay.child.pid, ended: 'stopped' },
    });
  });

  it('relay status tells a killed relay from a running one', async () => {
    const { home } = await platformAndHome();
    const never = await runCliInProcess(['relay', 'status', 'corp'], { env: home.env });
    expect(never.stdout).toMatch(/relay\s+not running \(never started here\)/);
    const relay = spawnRelay(['corp', '--listen', '127.0.0.1:0'], home.env);
    stopLater(relay);
    await relay.ready;
    const running = await runCliInProcess(['relay', 'status', 'corp'], { env: home.env });
    expect(running.stdout).toContain(`running (pid ${relay.child.pid} on `);
    relay.child.kill('SIGKILL');
    await relay.exited;
    const killed = await runCliInProcess(['relay', 'status', 'corp', '--json'], { env: home.env });
    expect(JSON.parse(killed.stdout)).toMatchObject({
      running: false,
      lastRun: { pid: relay.child.pid, ended: 'vanished' },
    });
    const human = await runCliInProcess(['relay', 'status', 'corp'], { env: home.env });
    expect(human.stdout).toMatch(/went silent at .* without stopping/);
  });

  it('serves BDC over HTTPS with the certificate set by installation update, and refuses a bad pair', async () => {
    const { receiver, home } = await platformAndHome();
    const relayPki = makePki('Relay Listener');
    const dir = mkdtempSync(join(tmpdir(), 'relay-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const files = (name: string, text: string) => {
      writeFileSync(join(dir, name), text, { mode: 0o600 });
      return join(dir, name);
    };
    const cert = files('relay.crt', relayPki.chainPem);
    const key = files('relay.key', relayPki.leaf.keyPem);
    const otherKey = files('other.key', pki.leaf.keyPem);
    const mismatched = await runCliInProcess(
      [
        'installation',
        'update',
        'corp',
        '--relay-tls-cert',
        cert,
        '--relay-tls-key',
        otherKey,
        '--json',
      ],
      { env: home.env },
    );
    expect(mismatched.code).toBe(1);
    expect(JSON.parse(mismatched.stdout).error.code).toBe('RELAY_TLS_INVALID');
    expect(mismatched.stdout).not.toContain('PRIVATE KEY');
    const half = await runCliInProcess(
      ['installation', 'update', 'corp', '--relay-tls-cert', cert, '--json'],
      { env: home.env },
    );
    expect(half.code).toBe(2);
    const set = await runCliInProcess(
      [
        'installation',
        'update',
        'corp',
        '--relay-tls-cert',
        cert,
        '--relay-tls-key',
        key,
        '--json',
      ],
      { env: home.env },
    );
    expect(set.code, set.stdout).toBe(0);
    expect(JSON.parse(set.stdout).installation.relay.tls).toEqual({ certFile: cert, keyFile: key });

    const relay = spawnRelay(['corp', '--listen', '127.0.0.1:0'], home.env);
    stopLater(relay);
    const url = String((await relay.ready)['url']);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/webhooks\/bitbucket-dc\/plat-7$/);
    const agent = new Agent({ connect: { ca: relayPki.root.certPem } });
    cleanups.push(() => agent.close());
    const body = refsChangedBody('PRJ', 'repo', '2'.repeat(40));
    const posted = await postDelivery(url, body, { secret: SECRET, dispatcher: agent });
    expect(posted.status).toBe(200);
    await waitFor(() => receiver.received.length === 1, 10_000, 'the forwarded delivery');
    expect(receiver.received[0]?.body.equals(body)).toBe(true);
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);

    const cleared = await runCliInProcess(
      ['installation', 'update', 'corp', '--relay-no-tls', '--json'],
      { env: home.env },
    );
    expect(JSON.parse(cleared.stdout).installation.relay).not.toHaveProperty('tls');
  });

  it('usage and configuration errors have their codes', async () => {
    const { home } = await platformAndHome();
    const noTarget = await runCliInProcess(['relay', 'replay', 'corp', '--json'], {
      env: home.env,
    });
    expect(noTarget.code).toBe(2);
    expect(JSON.parse(noTarget.stdout).error.code).toBe('USAGE_INVALID');
    const badState = await runCliInProcess(
      ['relay', 'deliveries', 'corp', '--state', 'lost', '--json'],
      {
        env: home.env,
      },
    );
    expect(badState.code).toBe(2);
    const missing = await runCliInProcess(['relay', 'replay', 'corp', '42', '--json'], {
      env: home.env,
    });
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('RELAY_DELIVERY_NOT_FOUND');
    const badListen = await runCliInProcess(
      ['relay', 'run', 'corp', '--listen', 'nowhere', '--json'],
      {
        env: home.env,
      },
    );
    expect(JSON.parse(badListen.stdout).error.code).toBe('RELAY_LISTEN_INVALID');
  });
});
