import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  git,
  gitEnv,
  simRequest,
  startTestSimulator,
  tempDir,
  type RunningSimulator,
} from '../../helpers/sim.js';

/** A plain receiver on 127.0.0.1 that records requests and answers with a settable status. */
interface Receiver {
  readonly url: string;
  readonly hits: { headers: IncomingMessage['headers']; body: Buffer }[];
  status: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const hits: Receiver['hits'] = [];
  const state = { status: 200 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      hits.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(state.status);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    hits,
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let clock = Date.now();
let sim: RunningSimulator;
let receiver: Receiver;
let work: { path: string; remove(): Promise<void> };
const hooksPath = () => `/rest/api/1.0/projects/${sim.project}/repos/${sim.repo}/webhooks`;

beforeAll(async () => {
  sim = await startTestSimulator({ now: () => clock });
  receiver = await startReceiver();
  work = await tempDir();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
  await work.remove();
});

async function clone(name: string, project = sim.project, repo = sim.repo): Promise<string> {
  const dir = join(work.path, name);
  const url = `${sim.url}/scm/${project.toLowerCase()}/${repo}.git`;
  const result = await git(['clone', '--quiet', url, dir], { env: gitEnv(sim, sim.pat) });
  expect(result.code).toBe(0);
  return dir;
}

let counter = 0;
async function pushCommit(dir: string): Promise<{ before: string; after: string }> {
  const env = gitEnv(sim, sim.pat);
  const before = (await git(['rev-parse', 'HEAD'], { cwd: dir, env })).stdout.trim();
  counter += 1;
  await writeFile(join(dir, `file-${counter}.txt`), `change ${counter}\n`);
  await git(['add', '.'], { cwd: dir, env });
  await git(['commit', '--quiet', '-m', `change ${counter}`], { cwd: dir, env });
  const push = await git(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: dir, env });
  expect(push.code, push.stderr).toBe(0);
  const after = (await git(['rev-parse', 'HEAD'], { cwd: dir, env })).stdout.trim();
  await sim.webhooks.idle();
  return { before, after };
}

describe('webhook REST (§9.6)', () => {
  it('creates, lists, reads, updates and deletes a repository webhook with an integer id and the secret echoed', async () => {
    const created = await simRequest(sim, hooksPath(), {
      method: 'POST',
      bearer: sim.pat,
      body: {
        name: 'relay',
        url: 'https://relay.example.test/hooks/bdc',
        events: ['repo:refs_changed'],
        active: true,
        configuration: { secret: 's3cr3t' },
        sslVerificationRequired: true,
      },
    });
    expect(created.status).toBe(200);
    const hook = created.json();
    expect(Number.isInteger(hook['id'])).toBe(true);
    expect(hook).toMatchObject({
      name: 'relay',
      events: ['repo:refs_changed'],
      configuration: { secret: 's3cr3t' },
      active: true,
      scopeType: 'repository',
      sslVerificationRequired: true,
    });
    expect(typeof hook['createdDate']).toBe('number');

    const list = (await simRequest(sim, hooksPath(), { bearer: sim.pat })).json<{
      values: { id: number }[];
      isLastPage: boolean;
    }>();
    expect(list.values.map((value) => value.id)).toContain(hook['id']);
    expect(list.isLastPage).toBe(true);

    const one = await simRequest(sim, `${hooksPath()}/${String(hook['id'])}`, { bearer: sim.pat });
    expect(one.json()['configuration']).toEqual({ secret: 's3cr3t' });

    const updated = await simRequest(sim, `${hooksPath()}/${String(hook['id'])}`, {
      method: 'PUT',
      bearer: sim.pat,
      body: { name: 'relay-2', url: 'https://relay.example.test/b', events: ['repo:refs_changed'] },
    });
    expect(updated.status).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'relay-2', url: 'https://relay.example.test/b' });

    const deleted = await simRequest(sim, `${hooksPath()}/${String(hook['id'])}`, {
      method: 'DELETE',
      bearer: sim.pat,
    });
    expect(deleted.status).toBe(204);
    const gone = await simRequest(sim, `${hooksPath()}/${String(hook['id'])}`, { bearer: sim.pat });
    expect(gone.status).toBe(404);
  });

  it('answers an empty secret with 500, as BDC does, and validates name, url and events with 400', async () => {
    const base = { name: 'x', url: receiver.url, events: ['repo:refs_changed'] };
    const empty = await simRequest(sim, hooksPath(), {
      method: 'POST',
      bearer: sim.pat,
      body: { ...base, configuration: { secret: '' } },
    });
    expect(empty.status).toBe(500);
    const noName = await simRequest(sim, hooksPath(), {
      method: 'POST',
      bearer: sim.pat,
      body: { ...base, name: '' },
    });
    expect(noName.status).toBe(400);
    expect(noName.json<{ errors: { context: string }[] }>().errors[0]!.context).toBe('name');
    const badUrl = await simRequest(sim, hooksPath(), {
      method: 'POST',
      bearer: sim.pat,
      body: { ...base, url: 'not a url' },
    });
    expect(badUrl.json<{ errors: { context: string }[] }>().errors[0]!.context).toBe('url');
    const badEvent = await simRequest(sim, hooksPath(), {
      method: 'POST',
      bearer: sim.pat,
      body: { ...base, events: ['repo:exploded'] },
    });
    expect(badEvent.status).toBe(400);
    const list = (await simRequest(sim, hooksPath(), { bearer: sim.pat })).json<{
      values: unknown[];
    }>();
    expect(list.values).toEqual([]);
  });

  it('requires REPO_ADMIN: a REPO_WRITE token gets 401 AuthorisationException', async () => {
    const writer = sim.addToken({ user: 'writer', repoPermission: 'REPO_WRITE' });
    const response = await simRequest(sim, hooksPath(), { bearer: writer });
    expect(response.status).toBe(401);
    expect(response.json<{ errors: { exceptionName: string }[] }>().errors[0]!.exceptionName).toBe(
      'com.atlassian.bitbucket.AuthorisationException',
    );
  });

  it('sends an unsigned diagnostics:ping {"test":true} for the test call', async () => {
    const response = await simRequest(
      sim,
      `${hooksPath()}/test?url=${encodeURIComponent(receiver.url)}`,
      { method: 'POST', bearer: sim.pat },
    );
    expect(response.status).toBe(200);
    expect(response.json()['result']).toMatchObject({ status: 200 });
    const ping = receiver.hits.at(-1)!;
    expect(ping.headers['x-event-key']).toBe('diagnostics:ping');
    expect(ping.headers['x-hub-signature']).toBeUndefined();
    expect(ping.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(ping.body.toString()).toBe('{"test":true}');
  });

  it('keeps the test ping unsigned for a webhook with a secret, with the Basic credentials of the body, to the URL given with a query', async () => {
    const created = await simRequest(sim, hooksPath(), {
      method: 'POST',
      bearer: sim.pat,
      body: {
        name: 'signed',
        url: receiver.url,
        events: ['repo:refs_changed'],
        configuration: { secret: 's3cr3t' },
      },
    });
    const id = created.json<{ id: number }>().id;
    const target = `${receiver.url}?nonce=abc`;
    const response = await simRequest(
      sim,
      `${hooksPath()}/test?webhookId=${id}&url=${encodeURIComponent(target)}`,
      { method: 'POST', bearer: sim.pat, body: { username: 'bdc', password: 'pw' } },
    );
    expect(response.status).toBe(200);
    const ping = receiver.hits.at(-1)!;
    expect(ping.headers['x-hub-signature']).toBeUndefined();
    expect(ping.headers['authorization']).toBe(`Basic ${Buffer.from('bdc:pw').toString('base64')}`);
    expect(response.json()['request']).toMatchObject({ url: target });
    await simRequest(sim, `${hooksPath()}/${id}`, { method: 'DELETE', bearer: sim.pat });
  });
});

describe('shutdown', () => {
  it('does not wait for a receiver that hangs', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const address = hanging.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const other = await startTestSimulator({ platform: false, keyType: 'ec' });
    try {
      const hooks = `/rest/api/1.0/projects/${other.project}/repos/${other.repo}/webhooks`;
      await simRequest(other, hooks, {
        method: 'POST',
        bearer: other.pat,
        body: { name: 'hang', url: `http://127.0.0.1:${port}/`, events: ['repo:refs_changed'] },
      });
      const dir = join(work.path, 'hang');
      const env = gitEnv(other, other.pat);
      const url = `${other.url}/scm/${other.project.toLowerCase()}/${other.repo}.git`;
      await git(['clone', '--quiet', url, dir], { env });
      await git(['commit', '--quiet', '--allow-empty', '-m', 'x'], { cwd: dir, env });
      expect((await git(['push', '--quiet', 'origin', 'main'], { cwd: dir, env })).code).toBe(0);
      const started = performance.now();
      await other.close();
      // Well under the 10 s delivery timeout it would otherwise wait for.
      expect(performance.now() - started).toBeLessThan(6000);
      expect(other.webhooks.invocations().at(-1)).toMatchObject({ outcome: 'ERROR' });
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});

describe('timeouts', () => {
  it('gives up on a receiver that does not answer within the timeout and counts it as a failure', async () => {
    const other = await startTestSimulator({ keyType: 'ec', webhookTimeoutMs: 300 });
    try {
      const platform = other.platform!;
      platform.setBehaviour({ kind: 'hang' });
      const hooks = `/rest/api/1.0/projects/${other.project}/repos/${other.repo}/webhooks`;
      await simRequest(other, hooks, {
        method: 'POST',
        bearer: other.pat,
        body: {
          name: 'platform',
          url: `${platform.url}/webhooks/bitbucket-dc/${platform.installationId}`,
          events: ['repo:refs_changed'],
          configuration: { secret: platform.webhookSecret },
        },
      });
      const dir = join(work.path, 'timeout');
      const env = gitEnv(other, other.pat);
      await git(['clone', '--quiet', `${other.url}/scm/demo/gitops.git`, dir], { env });
      await git(['commit', '--quiet', '--allow-empty', '-m', 'x'], { cwd: dir, env });
      expect((await git(['push', '--quiet', 'origin', 'main'], { cwd: dir, env })).code).toBe(0);
      await other.webhooks.idle();
      const [invocation] = other.webhooks.invocations();
      expect(invocation).toMatchObject({ outcome: 'ERROR', error: 'webhook request timed out' });
      expect(invocation!.finish - invocation!.start).toBeLessThan(5000);
      // The stand-in received it (signed) even though it never answered.
      expect(platform.deliveries()).toHaveLength(1);
      expect(platform.deliveries()[0]!.signatureValid).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe('deliveries', () => {
  it('delivers a signed repo:refs_changed to the platform stand-in after a push, and the signature verifies', async () => {
    const platform = sim.platform!;
    const url = `${platform.url}/webhooks/bitbucket-dc/${platform.installationId}`;
    const created = await simRequest(sim, hooksPath(), {
      method: 'POST',
      bearer: sim.pat,
      body: {
        name: 'platform',
        url,
        events: ['repo:refs_changed'],
        configuration: { secret: platform.webhookSecret },
      },
    });
    expect(created.status).toBe(200);
    const dir = await clone('signed');
    const { before, after } = await pushCommit(dir);
    const [delivery] = await platform.waitForDeliveries(1);
    expect(delivery!.signatureValid).toBe(true);
    expect(delivery!.status).toBe(202);
    const expected = `sha256=${createHmac('sha256', platform.webhookSecret).update(delivery!.body).digest('hex')}`;
    expect(delivery!.headers['x-hub-signature']).toBe(expected);
    expect(delivery!.headers['x-event-key']).toBe('repo:refs_changed');
    expect(delivery!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivery!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(delivery!.headers['user-agent']).toMatch(
      /^Atlassian HttpClient .* \/ Bitbucket-9\.4\.22 \(9004022\)/,
    );

    const payload = JSON.parse(delivery!.body.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual([
      'eventKey',
      'date',
      'actor',
      'repository',
      'changes',
      'commits',
      'toCommit',
    ]);
    expect(payload['eventKey']).toBe('repo:refs_changed');
    expect(payload['date']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    expect(payload['actor']).toMatchObject({
      name: sim.user.name,
      id: sim.user.id,
      type: 'NORMAL',
    });
    expect(payload['repository']).toMatchObject({
      slug: sim.repo,
      project: { key: sim.project },
    });
    expect(payload['changes']).toEqual([
      {
        ref: { id: 'refs/heads/main', displayId: 'main', type: 'BRANCH' },
        refId: 'refs/heads/main',
        fromHash: before,
        toHash: after,
        type: 'UPDATE',
      },
    ]);
    // Compact JSON, as BDC sends it.
    expect(delivery!.body.toString('utf8')).toBe(JSON.stringify(payload));
    await simRequest(sim, `${hooksPath()}/${String(created.json()['id'])}`, {
      method: 'DELETE',
      bearer: sim.pat,
    });
  });

  it('delivers through project-level webhooks to every repository of the project, ADD for a new branch', async () => {
    await sim.addRepository(sim.project, 'second', { files: 2, bytes: 200 });
    const projectHooks = `/rest/api/1.0/projects/${sim.project}/webhooks`;
    const created = await simRequest(sim, projectHooks, {
      method: 'POST',
      bearer: sim.pat,
      body: { name: 'project', url: receiver.url, events: ['repo:refs_changed'] },
    });
    expect(created.json()['scopeType']).toBe('project');
    receiver.hits.length = 0;
    const dir = await clone('second', sim.project, 'second');
    const env = gitEnv(sim, sim.pat);
    const push = await git(['push', '--quiet', 'origin', 'main:feature/new'], { cwd: dir, env });
    expect(push.code).toBe(0);
    await sim.webhooks.idle();
    expect(receiver.hits).toHaveLength(1);
    const payload = JSON.parse(receiver.hits[0]!.body.toString()) as {
      changes: { type: string; fromHash: string }[];
      repository: { slug: string };
    };
    expect(payload.repository.slug).toBe('second');
    expect(payload.changes[0]).toMatchObject({ type: 'ADD', fromHash: '0'.repeat(40) });
    // Unsigned: no secret configured.
    expect(receiver.hits[0]!.headers['x-hub-signature']).toBeUndefined();
    await simRequest(sim, `${projectHooks}/${String(created.json()['id'])}`, {
      method: 'DELETE',
      bearer: sim.pat,
    });
  });

  it('delivers nothing for a refused push (pull-request-only branch)', async () => {
    await sim.addRepository(sim.project, 'guarded', { files: 1, bytes: 100 });
    sim.restrictBranch(sim.project, 'guarded', 'main');
    const created = await simRequest(
      sim,
      `/rest/api/1.0/projects/${sim.project}/repos/guarded/webhooks`,
      {
        method: 'POST',
        bearer: sim.pat,
        body: { name: 'guarded', url: receiver.url, events: ['repo:refs_changed'] },
      },
    );
    expect(created.status).toBe(200);
    const before = sim.webhooks.invocations().length;
    const dir = await clone('guarded', sim.project, 'guarded');
    const env = gitEnv(sim, sim.pat);
    await git(['commit', '--quiet', '--allow-empty', '-m', 'refused'], { cwd: dir, env });
    const push = await git(['push', 'origin', 'main'], { cwd: dir, env });
    expect(push.stderr).toContain('pre-receive hook declined');
    await sim.webhooks.idle();
    expect(sim.webhooks.invocations().length).toBe(before);
    const accepted = await git(['push', '--quiet', 'origin', 'main:topic'], { cwd: dir, env });
    expect(accepted.code).toBe(0);
    await sim.webhooks.idle();
    expect(sim.webhooks.invocations().length).toBe(before + 1);
  });

  it('never retries, opens the circuit after 5 failures and skips with a growing back-off', async () => {
    receiver.status = 500;
    receiver.hits.length = 0;
    const created = await simRequest(sim, hooksPath(), {
      method: 'POST',
      bearer: sim.pat,
      body: { name: 'failing', url: receiver.url, events: ['repo:refs_changed'] },
    });
    const id = created.json()['id'] as number;
    const dir = await clone('breaker');
    for (let attempt = 1; attempt <= 5; attempt += 1) await pushCommit(dir);
    expect(receiver.hits).toHaveLength(5); // one request per event: no retries
    const outcomes = () =>
      sim.webhooks
        .invocations()
        .filter((invocation) => invocation.webhookId === id)
        .map((invocation) => invocation.outcome);
    expect(outcomes()).toEqual(['FAILURE', 'FAILURE', 'FAILURE', 'FAILURE', 'FAILURE']);

    await pushCommit(dir); // circuit open: skipped, the event is lost
    expect(receiver.hits).toHaveLength(5);
    expect(outcomes().at(-1)).toBe('SKIPPED');

    clock += 10_001; // first back-off (10 s) over
    await pushCommit(dir);
    expect(receiver.hits).toHaveLength(6);
    expect(outcomes().at(-1)).toBe('FAILURE');

    clock += 10_001; // the second back-off is 20 s: still open
    await pushCommit(dir);
    expect(receiver.hits).toHaveLength(6);
    expect(outcomes().at(-1)).toBe('SKIPPED');

    clock += 10_001;
    receiver.status = 200;
    await pushCommit(dir);
    expect(receiver.hits).toHaveLength(7);
    expect(outcomes().at(-1)).toBe('SUCCESS');

    const latest = await simRequest(sim, `${hooksPath()}/${id}/latest`, { bearer: sim.pat });
    expect(latest.json()['result']).toMatchObject({ outcome: 'SUCCESS' });
  });
});
