import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSettings } from '../../core/settings/settings-file.js';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliInProcess } from '../helpers/cli-harness.js';
import { makeSimHome, type SimHome } from './webhooks-fixture.js';

let sim: RunningSimulator;
let home: SimHome;

beforeAll(async () => {
  sim = await startSimulator();
  home = await makeSimHome(sim);
}, 60_000);

afterAll(async () => {
  await sim?.close();
  home?.cleanup();
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const cli = (...argv: string[]) => runCliInProcess([...argv, '--json'], { env: home.env });
const status = async (): Promise<Record<string, unknown>> => {
  const run = await cli('relay', 'status', 'corp');
  expect(run.code, run.stdout).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

describe('relay watch and the mode by evidence', () => {
  it('BDC cannot reach the relay: status says so with the reason and offers watch mode; relay watch turns it on', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}/webhooks/bitbucket-dc/${sim.platform!.installationId}`;
    const registered = await cli(
      'webhooks',
      'register',
      'corp',
      '--repo',
      `${sim.project}/${sim.repo}`,
      '--url',
      unreachable,
    );
    expect(JSON.parse(registered.stdout)).toMatchObject({ relayRecordedPing: false });

    const before = await status();
    expect(before).toMatchObject({ mode: 'webhooks', suggestWatch: true });
    expect(String(before['modeReason'])).toMatch(
      /could not reach the relay .*\(connect ECONNREFUSED/,
    );
    // The human form names the command that turns watch mode on.
    const human = await runCliInProcess(['relay', 'status', 'corp'], { env: home.env });
    expect(human.stdout).toContain('relay watch corp --repo');

    const on = await cli(
      'relay',
      'watch',
      'corp',
      '--repo',
      `${sim.project}/${sim.repo}`,
      '--interval',
      '30',
    );
    expect(on.code, on.stdout).toBe(0);
    expect(JSON.parse(on.stdout)).toMatchObject({
      ok: true,
      enabled: true,
      watch: { repositories: [`${sim.project}/${sim.repo}`], projects: [], intervalSeconds: 30 },
    });
    const after = await status();
    expect(after).toMatchObject({
      mode: 'watch',
      suggestWatch: false,
      watch: { enabled: true, intervalSeconds: 30, lastPollAt: null },
    });
    expect(String(after['modeReason'])).toContain('ECONNREFUSED');
  }, 30_000);

  it('refuses an interval under 5 s, a bad repository and an empty list, keeping what is stored; --off turns it off', async () => {
    const stored = () => openSettings(home.home).requireInstallation('corp').relay.watch;
    const kept = stored();
    for (const [argv, code] of [
      [['--repo', 'DEMO/x', '--interval', '4'], 'WATCH_INTERVAL_INVALID'],
      [['--repo', 'DEMO/x', '--interval', '5s'], 'WATCH_INTERVAL_INVALID'],
      [['--repo', 'no-slug'], 'WATCH_TARGET_INVALID'],
      [[], 'WATCH_NOTHING_TO_WATCH'],
    ] as const) {
      const run = await cli('relay', 'watch', 'corp', ...argv);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).error.code).toBe(code);
      expect(stored()).toEqual(kept);
    }
    const usage = await cli('relay', 'watch', 'corp', '--off', '--repo', 'DEMO/x');
    expect(usage.code).toBe(2);

    const off = await cli('relay', 'watch', 'corp', '--off');
    expect(JSON.parse(off.stdout)).toMatchObject({ ok: true, enabled: false, watch: null });
    expect(stored()).toBeUndefined();
    expect(await status()).toMatchObject({
      mode: 'webhooks',
      watch: { enabled: false, watched: 0 },
    });
  });
});
