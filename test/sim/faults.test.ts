import { writeFile } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  git,
  gitEnv,
  simRequest,
  startTestSimulator,
  tempDir,
  type RunningSimulator,
} from '../helpers/sim.js';

let sim: RunningSimulator;
let work: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  sim = await startTestSimulator({ keyType: 'ec', platform: false });
  work = await tempDir();
});
afterEach(() => sim.faults.clear());
afterAll(async () => {
  await sim.close();
  await work.remove();
});

const props = '/rest/api/1.0/application-properties';

describe('faults on demand (issue 3, item 8)', () => {
  it('adds latency before every response', async () => {
    sim.faults.latency(300);
    const started = performance.now();
    expect((await simRequest(sim, props)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('fails the next N matching requests with a 5xx, then recovers', async () => {
    sim.faults.failNext(2, 503, { pathPrefix: '/rest/api' });
    expect((await simRequest(sim, '/status')).status).toBe(200); // prefix does not match
    expect((await simRequest(sim, props)).status).toBe(503);
    expect((await simRequest(sim, props)).status).toBe(503);
    expect((await simRequest(sim, props)).status).toBe(200);
  });

  it('answers 429 with Retry-After in seconds (rate limiting, §9.8)', async () => {
    sim.faults.failNext(1, 429, { retryAfterSeconds: 7 });
    const limited = await simRequest(sim, props, { bearer: sim.pat });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(limited.headers['x-arequestid']).toBeTruthy();
  });

  it('rate limits authenticated callers per user with a token bucket (429 + Retry-After)', async () => {
    sim.setRateLimit({ bucketSize: 3, refillPerSecond: 0.5 });
    try {
      for (let index = 0; index < 3; index += 1) {
        expect((await simRequest(sim, props, { bearer: sim.pat })).status).toBe(200);
      }
      const limited = await simRequest(sim, props, { bearer: sim.pat });
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('2');
      expect(limited.json<{ errors: { message: string }[] }>().errors[0]!.message).toMatch(
        /rate limited/,
      );
      // Per user: another user's bucket is full; anonymous requests are not limited.
      const other = sim.addToken({ user: 'other-user', repoPermission: 'REPO_READ' });
      expect((await simRequest(sim, props, { bearer: other })).status).toBe(200);
      expect((await simRequest(sim, props)).status).toBe(200);
    } finally {
      sim.setRateLimit(false);
    }
    expect((await simRequest(sim, props, { bearer: sim.pat })).status).toBe(200);
  });

  it('resets the connection after the request arrives', async () => {
    sim.faults.resetNext(1);
    await expect(simRequest(sim, props)).rejects.toThrow();
    expect((await simRequest(sim, props)).status).toBe(200);
  });

  it('stalls TLS handshakes while on: the client sees no ServerHello and must time out', async () => {
    sim.faults.stallHandshakes(true);
    const outcome = await new Promise<string>((resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: sim.port,
        ca: sim.caPem,
        servername: 'localhost',
      });
      socket.setTimeout(400, () => {
        socket.destroy();
        resolve('timeout');
      });
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', () => resolve('error'));
    });
    expect(outcome).toBe('timeout');
    sim.faults.stallHandshakes(false);
    expect((await simRequest(sim, '/status')).status).toBe(200);
  });

  it('drives the same faults through the admin endpoint', async () => {
    const set = await simRequest(sim, '/__sim/faults', {
      method: 'POST',
      body: { failNext: { count: 1, status: 502 } },
    });
    expect(set.status).toBe(200);
    expect((await simRequest(sim, props)).status).toBe(502);
    expect((await simRequest(sim, props)).status).toBe(200);
    await simRequest(sim, '/__sim/state', { method: 'POST', body: { version: '10.2.0' } });
    expect((await simRequest(sim, props)).json()['version']).toBe('10.2.0');
    const bad = await simRequest(sim, '/__sim/state', {
      method: 'POST',
      body: { status: 'ON_FIRE' },
    });
    expect(bad.status).toBe(400);
  });

  it('race injection: someone else pushes right before the next push, which fails to update the ref', async () => {
    const dir = join(work.path, 'race');
    const env = gitEnv(sim, sim.pat);
    const url = `${sim.url}/scm/${sim.project.toLowerCase()}/${sim.repo}.git`;
    expect((await git(['clone', '--quiet', url, dir], { env })).code).toBe(0);
    await writeFile(join(dir, 'mine.txt'), 'my change\n');
    await git(['add', '.'], { cwd: dir, env });
    await git(['commit', '--quiet', '-m', 'mine'], { cwd: dir, env });
    const before = (
      await git(['rev-parse', 'refs/heads/main'], {
        cwd: sim.repositoryPath(sim.project, sim.repo),
        env,
      })
    ).stdout.trim();

    await simRequest(sim, '/__sim/faults', {
      method: 'POST',
      body: { raceNextPush: { project: sim.project, repo: sim.repo, branch: 'main' } },
    });
    const push = await git(['push', 'origin', 'main'], { cwd: dir, env });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('! [remote rejected] main -> main (failed to update ref)');

    const after = (
      await git(['log', '--format=%an %P', '-1', 'refs/heads/main'], {
        cwd: sim.repositoryPath(sim.project, sim.repo),
        env,
      })
    ).stdout.trim();
    expect(after).toBe(`Other Person ${before}`);

    // The race is one-shot: after a re-fetch and rebase the push lands.
    expect(
      (await git(['pull', '--quiet', '--rebase', 'origin', 'main'], { cwd: dir, env })).code,
    ).toBe(0);
    const retry = await git(['push', 'origin', 'main'], { cwd: dir, env });
    expect(retry.code, retry.stderr).toBe(0);
  });
});
