import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../core/net/network-factory.js';
import { createHttpTransport } from '../../core/relay/forward-transport.js';
import { startRelay, type RunningRelay } from '../../core/relay/relay.js';
import { loadWebhookSecrets } from '../../core/relay/webhook-secrets.js';
import { openDatabase } from '../../core/storage/database.js';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliInProcess } from '../helpers/cli-harness.js';
import { simRequest } from '../helpers/sim.js';
import { postDelivery, refsChangedBody, waitFor } from '../core/relay/relay-fixture.js';
import { makeSimHome, pushCommit, tempDir, type SimHome } from './webhooks-fixture.js';

let sim: RunningSimulator;
let home: SimHome;
let relay: RunningRelay;
let work: { path: string; cleanup(): void };
const closers: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  sim = await startSimulator();
  closers.push(() => sim.close());
  home = await makeSimHome(sim);
  closers.push(() => home.cleanup());
  work = tempDir('webhooks-git-');
  closers.push(() => work.cleanup());
  const database = openDatabase(home.home);
  closers.push(() => database.close());
  const platform = sim.platform!;
  const dispatcher = createDispatcher({ addressPolicy: 'none', caPems: [platform.caPem], env: {} });
  closers.push(() => dispatcher.close());
  relay = await startRelay({
    database,
    installation: {
      id: home.installation.id,
      platformBaseUrl: platform.url,
      platformInstallationId: platform.installationId,
    },
    loadSecrets: () => loadWebhookSecrets(home.secrets, home.installation.id),
    transport: createHttpTransport(dispatcher),
    listen: { host: '127.0.0.1', port: 0 },
    retry: { initialDelayMs: 50, maxDelayMs: 200 },
    attemptTimeoutMs: 500,
    pollIntervalMs: 100,
  });
  closers.push(() => relay.close());
}, 60_000);

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('webhooks against the simulator', () => {
  it('register creates the "Ankra" webhook, BDC tests it, and the relay records the ping', async () => {
    const run = await runCliInProcess(
      [
        'webhooks',
        'register',
        'corp',
        '--repo',
        `${sim.project}/${sim.repo}`,
        '--url',
        relay.webhookUrl,
        '--json',
      ],
      { env: home.env },
    );
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ ok: true, reached: true, relayRecordedPing: true });
    expect(result.webhooks).toEqual([
      expect.objectContaining({
        target: 'DEMO/gitops',
        action: 'created',
        test: expect.objectContaining({ reached: true, status: 200 }),
      }),
    ]);
    // Loopback is what this test uses; the admin is warned BDC would call itself.
    expect(result.warnings.join(' ')).toContain('loopback');
    expect(run.stderr).toContain('loopback');

    const again = await runCliInProcess(
      [
        'webhooks',
        'register',
        'corp',
        '--repo',
        `${sim.project}/${sim.repo}`,
        '--url',
        relay.webhookUrl,
        '--json',
      ],
      { env: home.env },
    );
    expect(JSON.parse(again.stdout).webhooks[0]).toMatchObject({
      action: 'updated',
      webhookId: result.webhooks[0].webhookId,
    });

    const listed = await runCliInProcess(['webhooks', 'list', 'corp', '--json'], { env: home.env });
    expect(JSON.parse(listed.stdout).webhooks).toEqual([
      expect.objectContaining({
        project: 'DEMO',
        slug: 'gitops',
        bdc: 'present',
        url: relay.webhookUrl,
      }),
    ]);
  });

  it('an unsigned ping from anyone else proves nothing: BDC reaching another server is not the relay', async () => {
    // A decoy answers BDC's test with 200 where the relay should be; meanwhile a forger posts
    // BDC's unsigned ping to the relay, with no nonce and with a guessed one. Before nonces, the
    // forged ping made register report that BDC had reached the relay.
    const decoy = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end('{}'));
    });
    await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.1', resolve));
    const address = decoy.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // The same path as the relay's, so the companion accepts it as a relay URL.
    const decoyUrl = `http://127.0.0.1:${port}${new URL(relay.webhookUrl).pathname}`;
    try {
      // The forger keeps pinging while register runs.
      let forging = true;
      const forger = (async () => {
        for (let round = 0; forging; round += 1) {
          const target = round % 2 ? `${relay.webhookUrl}?bdcReach=guessed` : relay.webhookUrl;
          const forged = await postDelivery(target, Buffer.from('{"test":true}'), {
            eventKey: 'diagnostics:ping',
            signature: null,
          });
          expect(forged.status).toBe(200);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const run = await runCliInProcess(
        [
          'webhooks',
          'register',
          'corp',
          '--repo',
          `${sim.project}/${sim.repo}`,
          '--url',
          decoyUrl,
          '--json',
        ],
        { env: home.env },
      );
      forging = false;
      await forger;
      const result = JSON.parse(run.stdout);
      expect(result, run.stdout + run.stderr).toHaveProperty('webhooks');
      expect(result.webhooks[0].test).toMatchObject({ reached: true, status: 200 });
      expect(result.relayRecordedPing).toBe(false);
    } finally {
      await new Promise((resolve) => decoy.close(resolve));
    }
    // Pointed back at the relay, BDC's ping with the fresh nonce proves it again.
    const restored = await runCliInProcess(
      [
        'webhooks',
        'register',
        'corp',
        '--repo',
        `${sim.project}/${sim.repo}`,
        '--url',
        relay.webhookUrl,
        '--json',
      ],
      { env: home.env },
    );
    expect(JSON.parse(restored.stdout)).toMatchObject({ relayRecordedPing: true });
  });

  it('a push produces a delivery the platform stand-in verifies: signature intact, bytes identical', async () => {
    const platform = sim.platform!;
    platform.clearDeliveries();
    const before = sim.webhooks.invocations().length;
    await pushCommit(sim, work.path, sim.project, sim.repo, 'first');
    const [delivery] = await platform.waitForDeliveries(1, 15_000);
    await sim.webhooks.idle();
    const sent = sim.webhooks
      .invocations()
      .slice(before)
      .find((invocation) => invocation.eventKey === 'repo:refs_changed');
    expect(sent).toBeDefined();
    expect(sent?.status).toBe(200);
    expect(delivery?.signatureValid).toBe(true);
    expect(delivery?.body.equals(Buffer.from(sent!.body))).toBe(true);
    expect(delivery?.headers['x-request-id']).toBe(sent?.requestId);
    expect(delivery?.headers['x-event-key']).toBe('repo:refs_changed');
    expect(delivery?.headers['x-hub-signature']).toBe(sent?.headers['X-Hub-Signature']);
  }, 30_000);

  it('the platform fails (5xx, then unreachable) for a while: after recovery every delivery arrives, in order per repository', async () => {
    const platform = sim.platform!;
    platform.clearDeliveries();
    const sent: Record<string, string[]> = { 'A/one': [], 'B/two': [] };
    const post = async (index: number) => {
      const [project, slug] = index % 2 === 0 ? ['A', 'one'] : ['B', 'two'];
      const marker = String(index).padStart(40, '0');
      sent[`${project}/${slug}`]!.push(marker);
      const status = (
        await postDelivery(relay.webhookUrl, refsChangedBody(project!, slug!, marker), {
          secret: platform.webhookSecret,
        })
      ).status;
      expect(status).toBe(200);
    };
    platform.setBehaviour({ kind: 'status', status: 503 });
    for (let index = 0; index < 6; index += 1) await post(index);
    await waitFor(() => platform.deliveries().some((d) => d.status === 503), 10_000, 'a 503');
    platform.setBehaviour({ kind: 'hang' });
    for (let index = 6; index < 12; index += 1) await post(index);
    await waitFor(
      () => (relay.status().lastError?.message ?? '').includes('in time'),
      10_000,
      'a timeout',
    );
    expect(relay.status()).toMatchObject({ delivered: expect.any(Number), dead: 0 });
    expect(relay.status().pending).toBe(12);
    platform.setBehaviour({ kind: 'ok' });
    await waitFor(() => relay.status().pending === 0, 20_000, 'the queue to drain');
    const arrived: Record<string, string[]> = { 'A/one': [], 'B/two': [] };
    for (const delivery of platform.deliveries()) {
      if (delivery.status !== 202 || delivery.duplicate) continue;
      expect(delivery.signatureValid).toBe(true);
      const payload = JSON.parse(delivery.body.toString()) as {
        repository: { slug: string; project: { key: string } };
        changes: { toHash: string }[];
      };
      arrived[`${payload.repository.project.key}/${payload.repository.slug}`]!.push(
        payload.changes[0]!.toHash,
      );
    }
    expect(arrived).toEqual(sent);
  }, 60_000);

  it('without REPO_ADMIN, register and unregister fail with WEBHOOK_PERMISSION_DENIED and the manual steps', async () => {
    const reader = sim.addToken({
      user: 'other',
      projectPermission: 'PROJECT_READ',
      repoPermission: 'REPO_READ',
    });
    const readerHome = await makeSimHome(sim, { name: 'reader', pat: reader, user: 'other' });
    try {
      const run = await runCliInProcess(
        [
          'webhooks',
          'register',
          'reader',
          '--repo',
          `${sim.project}/${sim.repo}`,
          '--url',
          relay.webhookUrl,
          '--json',
        ],
        { env: readerHome.env },
      );
      expect(run.code).toBe(1);
      const error = JSON.parse(run.stdout).error;
      expect(error.code).toBe('WEBHOOK_PERMISSION_DENIED');
      expect(error.message).toContain('REPO_ADMIN');
      expect(error.hint).toContain('Create webhook');
      expect(error.hint).toContain(relay.webhookUrl);
      expect(error.hint).toContain('repo:refs_changed');
      const unregister = await runCliInProcess(
        ['webhooks', 'unregister', 'reader', '--repo', `${sim.project}/${sim.repo}`, '--json'],
        { env: readerHome.env },
      );
      expect(unregister.code).toBe(1);
      const refused = JSON.parse(unregister.stdout).error;
      expect(refused.code).toBe('WEBHOOK_PERMISSION_DENIED');
      expect(refused.hint).toContain('delete the webhook named "Ankra"');
    } finally {
      readerHome.cleanup();
    }
  }, 30_000);

  it('rotate-secret switches BDC to a new secret; no valid delivery is refused during the rotation', async () => {
    const platform = sim.platform!;
    const rejectedBefore = relay.status().rejectedSignatures;
    const invocationsBefore = sim.webhooks.invocations().length;
    // Pushes keep BDC delivering while the secret changes under it.
    let pushing = true;
    let pushes = 0;
    const pusher = (async () => {
      while (pushing) {
        await pushCommit(sim, work.path, sim.project, sim.repo, `rotation-${pushes}`);
        pushes += 1;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The platform issues the new secret (docs/relay-and-services.md); the admin pipes it in.
    const issued = 'platform-issued-rotation-secret-0123456789';
    const run = await runCliInProcess(
      ['webhooks', 'rotate-secret', 'corp', '--secret-stdin', '--json'],
      {
        env: home.env,
        stdin: `${issued}\n`,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    pushing = false;
    await pusher;
    await sim.webhooks.idle();
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const result = JSON.parse(run.stdout);
    // Never echoed: the platform already has it.
    expect(run.stdout + run.stderr).not.toContain(issued);
    expect(result.webhooks).toEqual([
      expect.objectContaining({ target: 'DEMO/gitops', method: 'updated' }),
    ]);
    expect(
      await home.secrets.get({ installationId: home.installation.id, kind: 'webhook-secret' }),
    ).toBe(issued);

    const during = sim.webhooks
      .invocations()
      .slice(invocationsBefore)
      .filter((i) => i.eventKey === 'repo:refs_changed');
    expect(pushes).toBeGreaterThan(0);
    expect(during.length).toBe(pushes);
    expect(during.every((invocation) => invocation.status === 200)).toBe(true);
    expect(relay.status().rejectedSignatures).toBe(rejectedBefore);
    console.info(
      `rotate-secret: ${pushes} pushes during the rotation, 0 refused (total ${result.totalMs} ms)`,
    );

    // The platform gets the new secret; deliveries signed with it verify there.
    platform.addInstallation(platform.installationId, issued);
    platform.clearDeliveries();
    await pushCommit(sim, work.path, sim.project, sim.repo, 'after-rotation');
    const delivered = await platform.waitForDeliveries(1, 15_000);
    expect(delivered.some((delivery) => delivery.signatureValid)).toBe(true);
  }, 60_000);

  it('registers a project-level webhook too', async () => {
    const run = await runCliInProcess(
      [
        'webhooks',
        'register',
        'corp',
        '--project',
        sim.project,
        '--url',
        relay.webhookUrl,
        '--json',
      ],
      { env: home.env },
    );
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(JSON.parse(run.stdout).webhooks).toEqual([
      expect.objectContaining({
        target: 'project DEMO',
        action: 'created',
        test: expect.objectContaining({ reached: true }),
      }),
    ]);
    const listed = await runCliInProcess(['webhooks', 'list', 'corp', '--offline', '--json'], {
      env: home.env,
    });
    expect(JSON.parse(listed.stdout).webhooks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scope: 'project', project: 'DEMO', bdc: 'unchecked' }),
      ]),
    );
  });

  it('rotate-secret reports a webhook BDC could not switch with the steps, and register repairs it', async () => {
    await sim.addRepository(sim.project, 'second');
    const register = await runCliInProcess(
      [
        'webhooks',
        'register',
        'corp',
        '--repo',
        `${sim.project}/second`,
        '--url',
        relay.webhookUrl,
        '--json',
      ],
      { env: home.env },
    );
    expect(register.code, register.stdout).toBe(0);
    // BDC fails both the update and the re-add of this one webhook.
    sim.faults.failNext(2, 500, {
      pathPrefix: `/rest/api/1.0/projects/${sim.project}/repos/second/webhooks`,
    });
    const run = await runCliInProcess(
      ['webhooks', 'rotate-secret', 'corp', '--secret-stdin', '--json'],
      {
        env: home.env,
        stdin: 'platform-issued-second-rotation-0123456789',
      },
    );
    // A webhook BDC did not switch is a failure, named, with what to change by hand.
    expect(run.code, run.stdout).toBe(1);
    const { error, webhookSecret } = JSON.parse(run.stdout);
    expect(error.code).toBe('WEBHOOK_SECRET_NOT_APPLIED');
    expect(webhookSecret.pending).toEqual([expect.objectContaining({ target: 'DEMO/second' })]);
    expect(webhookSecret.switched.map((webhook: { target: string }) => webhook.target)).toEqual(
      expect.arrayContaining(['DEMO/gitops', 'project DEMO']),
    );
    expect(error.hint).toContain(`/projects/${sim.project}/repos/second/settings`);
    const repaired = await runCliInProcess(
      [
        'webhooks',
        'register',
        'corp',
        '--repo',
        `${sim.project}/second`,
        '--url',
        relay.webhookUrl,
        '--json',
      ],
      { env: home.env },
    );
    expect(JSON.parse(repaired.stdout)).toMatchObject({ ok: true, reached: true });
  }, 30_000);

  it('unregister deletes the webhooks from BDC and forgets them; one deleted by hand is forgotten too', async () => {
    const hooksPath = (slug: string) =>
      `/rest/api/1.0/projects/${sim.project}/repos/${slug}/webhooks`;
    const ankraIds = async (slug: string) =>
      (await simRequest(sim, hooksPath(slug), { bearer: sim.pat }))
        .json<{ values: { id: number; name: string }[] }>()
        .values.filter((hook) => hook.name === 'Ankra')
        .map((hook) => hook.id);
    const [secondId] = await ankraIds('second');
    expect(secondId).toBeDefined();
    const usage = await runCliInProcess(['webhooks', 'unregister', 'corp'], { env: home.env });
    expect(usage.code).toBe(2);
    const both = await runCliInProcess(
      ['webhooks', 'unregister', 'corp', '--all', '--project', sim.project],
      { env: home.env },
    );
    expect(both.code).toBe(2);

    const one = await runCliInProcess(
      ['webhooks', 'unregister', 'corp', '--repo', `${sim.project}/second`, '--json'],
      { env: home.env },
    );
    expect(one.code, one.stdout + one.stderr).toBe(0);
    expect(JSON.parse(one.stdout).removed).toEqual([
      { target: 'DEMO/second', webhookId: secondId, bdc: 'deleted' },
    ]);
    expect(await ankraIds('second')).toEqual([]);

    // Someone deletes the repository webhook in BDC's UI; unregister still forgets it.
    const [gitopsId] = await ankraIds(sim.repo);
    expect(
      (
        await simRequest(sim, `${hooksPath(sim.repo)}/${gitopsId}`, {
          method: 'DELETE',
          bearer: sim.pat,
        })
      ).status,
    ).toBe(204);
    const all = await runCliInProcess(['webhooks', 'unregister', 'corp', '--all', '--json'], {
      env: home.env,
    });
    expect(all.code, all.stdout + all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).removed).toEqual(
      expect.arrayContaining([
        { target: 'DEMO/gitops', webhookId: gitopsId, bdc: 'already-gone' },
        expect.objectContaining({ target: 'project DEMO', bdc: 'deleted' }),
      ]),
    );
    const listed = await runCliInProcess(['webhooks', 'list', 'corp', '--json'], { env: home.env });
    expect(JSON.parse(listed.stdout).webhooks).toEqual([]);
    const again = await runCliInProcess(['webhooks', 'unregister', 'corp', '--all'], {
      env: home.env,
    });
    expect(again.stdout).toContain('no "Ankra" webhooks to remove');
  });
});
