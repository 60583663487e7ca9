import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_SETTINGS, type Installation } from '../../common/models/installation.js';
import { patKey } from '../../core/auth/pat.js';
import { openPinnedSecretStore } from '../../core/secrets/pinned-secret-store.js';
import { openSettings } from '../../core/settings/settings-file.js';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliInProcess } from '../helpers/cli-harness.js';
import { spawnCompanion, type RelayProcess } from './relay-harness.js';

let sim: RunningSimulator;
let root: string;
let env: Record<string, string>;
let agent: Agent;
const processes: RelayProcess[] = [];

beforeAll(async () => {
  sim = await startSimulator();
  root = mkdtempSync(join(tmpdir(), 'bridge-daemon-'));
  env = {
    BDC_COMPANION_HOME: join(root, 'home'),
    BDC_COMPANION_SECRET_STORE: 'encrypted-file',
    BDC_COMPANION_SECRETS_PASSPHRASE: 'bridge daemon test passphrase',
    BDC_COMPANION_CACHE_DIR: join(root, 'cache'),
  };
  const platform = sim.platform!;
  const installation: Installation = {
    id: '7b0e4a52-1c9d-4f61-8d2e-3a5b6c7d8e9f',
    name: 'corp',
    baseUrl: sim.url,
    caPems: [sim.caPem],
    allowLoopback: true,
    platform: {
      baseUrl: platform.url,
      installationId: platform.installationId,
      caPems: [platform.caPem],
    },
    auth: { kind: 'pat', user: sim.user.name, verifiedAt: new Date().toISOString() },
    relay: { ...DEFAULT_RELAY_SETTINGS, listen: '127.0.0.1:0' },
    createdAt: new Date().toISOString(),
  };
  const settings = openSettings(env['BDC_COMPANION_HOME']!);
  settings.saveInstallation(installation);
  const secrets = await openPinnedSecretStore(settings, { home: env['BDC_COMPANION_HOME']!, env });
  await secrets.set(patKey(installation.id), sim.pat);
  await secrets.set(
    { installationId: installation.id, kind: 'webhook-secret' },
    platform.webhookSecret,
  );
  agent = new Agent({ connect: { ca: platform.caPem } });
}, 60_000);

afterAll(async () => {
  for (const child of processes) {
    if (child.child.exitCode === null && child.child.signalCode === null)
      child.child.kill('SIGKILL');
  }
  await agent?.close();
  await sim?.close();
  rmSync(root, { recursive: true, force: true });
});

async function platformCall(action: string, body: unknown): Promise<Record<string, unknown>> {
  const platform = sim.platform!;
  const response = await request(
    `${platform.url}/_sim/bridge/${encodeURIComponent(platform.installationId)}/${action}`,
    { method: 'POST', body: JSON.stringify(body), dispatcher: agent },
  );
  return (await response.body.json()) as Record<string, unknown>;
}

async function waitFor<T>(
  check: () => T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The daemon's state lines after its ready line. */
function stateLines(daemon: RelayProcess & { stdout(): string }): Record<string, unknown>[] {
  return daemon
    .stdout()
    .split('\n')
    .slice(1)
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function startDaemon() {
  const daemon = spawnCompanion(['run', 'corp'], env);
  processes.push(daemon);
  return daemon;
}

const gitLog = (): string[] =>
  execFileSync(
    'git',
    ['--git-dir', sim.repositoryPath(sim.project, sim.repo), 'log', '--format=%s', 'main'],
    {
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n');

describe('bridge commands and the daemon', () => {
  it('stores the bridge token from stdin and edits the policy, refusing a malformed rule', async () => {
    const stored = await runCliInProcess(
      ['installation', 'update', 'corp', '--bridge-token-stdin', '--json'],
      { env, stdin: `${sim.platform!.bridgeToken}\n` },
    );
    expect(stored.code, stored.stderr + stored.stdout).toBe(0);
    expect(JSON.parse(stored.stdout)).toMatchObject({ ok: true, bridgeToken: 'stored' });
    expect(stored.stdout + stored.stderr).not.toContain(sim.platform!.bridgeToken);

    const policy = await runCliInProcess(
      ['bridge', 'policy', 'corp', '--allow-push', `${sim.project}/${sim.repo}:main`, '--json'],
      { env },
    );
    expect(policy.code).toBe(0);
    expect(JSON.parse(policy.stdout).policy).toMatchObject({
      push: [`${sim.project}/${sim.repo}:main`],
      readProjects: [],
    });
    expect(
      JSON.parse(policy.stdout).policy.read.map((rule: { name: string }) => rule.name),
    ).toContain('raw');
    const bad = await runCliInProcess(
      ['bridge', 'policy', 'corp', '--allow-push', 'nonsense', '--json'],
      {
        env,
      },
    );
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error.code).toBe('BRIDGE_RULE_INVALID');
  });

  it('kill -9 during a push, restart: the same push id returns the one result and the branch has the commit once', async () => {
    let daemon = startDaemon();
    const ready = await daemon.ready;
    expect(ready).toMatchObject({
      ok: true,
      ready: true,
      bridge: 'connecting',
      platform: sim.platform!.url,
    });
    await waitFor(
      () => stateLines(daemon).find((line) => line['bridge'] === 'connected'),
      'connected',
    );

    const push = {
      id: 'p-crash-1',
      repo: `${sim.project}/${sim.repo}`,
      branch: 'main',
      message: 'pushed through a crash',
      changes: Array.from({ length: 20 }, (_, index) => ({
        op: 'put',
        path: `crash/${index}.txt`,
        content: Buffer.from(`crash ${index}\n`).toString('base64'),
      })),
    };
    sim.clearRequests();
    const first = platformCall('push', push);
    // Killed the moment the pack is on its way to BDC: landed or not, the companion cannot know.
    await waitFor(
      () => sim.requests().find((entry) => entry.path.endsWith('/git-receive-pack')),
      'receive-pack',
    );
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    expect(await first).toMatchObject({ type: 'error', error: { code: 'SIM_CONNECTION_DROPPED' } });

    daemon = startDaemon();
    await daemon.ready;
    await waitFor(
      () => stateLines(daemon).find((line) => line['bridge'] === 'connected'),
      'connected again',
    );
    const answer = await platformCall('push', push);
    expect(answer).toMatchObject({ type: 'push.result', id: 'p-crash-1', ok: true });
    const again = await platformCall('push', push);
    expect(again).toEqual(answer);
    expect(gitLog().filter((subject) => subject === 'pushed through a crash')).toHaveLength(1);
    const tip = execFileSync(
      'git',
      ['--git-dir', sim.repositoryPath(sim.project, sim.repo), 'rev-parse', 'main'],
      {
        encoding: 'utf8',
      },
    ).trim();
    expect(answer['commit']).toBe(tip);

    const status = await runCliInProcess(['bridge', 'status', 'corp', '--json'], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({
      ok: true,
      running: true,
      state: 'connected',
      platformUrl: sim.platform!.url,
    });

    // A refused token stops the bridge; the relay of the same daemon keeps serving BDC.
    await platformCall('fault', { kind: 'refuse-token' });
    await platformCall('fault', { kind: 'drop' });
    const refused = await waitFor(
      () => stateLines(daemon).find((line) => line['bridge'] === 'refused'),
      'refused',
    );
    expect(refused).toMatchObject({ error: { code: 'BRIDGE_TOKEN_REFUSED' } });
    const relayAnswer = await request(String((await daemon.ready)['url']), {
      method: 'POST',
      body: '{}',
    });
    await relayAnswer.body.dump();
    expect(relayAnswer.statusCode).toBeGreaterThanOrEqual(400);
    expect(relayAnswer.statusCode).toBeLessThan(500);

    await platformCall('fault', { kind: 'ok' });
    const { bridgeToken } = await platformCall('rotate-token', {});
    const stored = await runCliInProcess(
      ['installation', 'update', 'corp', '--bridge-token-stdin'],
      {
        env,
        stdin: String(bridgeToken),
      },
    );
    expect(stored.code).toBe(0);
    await waitFor(
      () =>
        stateLines(daemon)
          .slice(stateLines(daemon).indexOf(refused) + 1)
          .find((line) => line['bridge'] === 'connected'),
      'connected with the new token',
    );
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  }, 120_000);
});
