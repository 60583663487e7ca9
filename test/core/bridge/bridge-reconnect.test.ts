import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeTokenKey } from '../../../core/bridge/installation-bridge.js';
import { FAST, startBridgeFixture, waitForState, type BridgeFixture } from './bridge-fixture.js';

let fixture: BridgeFixture;

beforeAll(async () => {
  fixture = await startBridgeFixture([]);
  fixture.settings.saveInstallation({
    ...fixture.installation,
    bridge: { push: [`${fixture.sim.project}/${fixture.sim.repo}:main`], readProjects: [] },
  });
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

const api = '/rest/api/latest';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The platform's side of a retry: the same id again until it gets an answer that is not a drop. */
async function untilAnswered(action: string, body: Record<string, unknown>) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const answer = await fixture.platform(action, body);
    const code = (answer['error'] as { code?: string } | undefined)?.code ?? '';
    if (!code.startsWith('SIM_') && code !== 'NETWORK_FAILED') return { answer, attempt };
    await sleep(25);
  }
  throw new Error(`${String(body['id'])} never answered`);
}

describe('bridge reconnects', () => {
  it('survives 5 drops during 200 reads and 20 pushes: every re-sent read answered, every push id lands once', async () => {
    const bridge = fixture.start();
    await waitForState(bridge, 'connected');
    const before = fixture.serverGit(['rev-parse', 'main']).trim();
    let done = false;
    const drops = (async () => {
      let count = 0;
      while (count < 5 && !done) {
        await sleep(250);
        // Each drop hits a live connection, so each one forces a reconnect.
        await waitForState(bridge, 'connected');
        await fixture.platform('fault', { kind: 'drop' });
        count += 1;
      }
      return count;
    })();
    const reads = (async () => {
      const results: number[] = [];
      for (let batch = 0; batch < 25; batch += 1) {
        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            untilAnswered('http', {
              id: `r-${batch}-${index}`,
              method: 'GET',
              path: `${api}/projects/${fixture.sim.project}/repos`,
            }),
          ),
        );
        results.push(...answers.map(({ answer }) => Number(answer['status'])));
      }
      return results;
    })();
    const pushes = (async () => {
      const results: Record<string, unknown>[] = [];
      for (let index = 0; index < 20; index += 1) {
        const { answer } = await untilAnswered('push', {
          id: `p-drop-${index}`,
          repo: `${fixture.sim.project}/${fixture.sim.repo}`,
          branch: 'main',
          message: `drop push ${index}`,
          changes: [
            {
              op: 'put',
              path: `drops/${index}.txt`,
              content: Buffer.from(`${index}`).toString('base64'),
            },
          ],
        });
        results.push(answer);
      }
      return results;
    })();
    const [readStatuses, pushAnswers] = await Promise.all([reads, pushes]);
    done = true;
    expect(await drops).toBe(5);
    expect(readStatuses).toHaveLength(200);
    expect(readStatuses.every((status) => status === 200)).toBe(true);
    expect(pushAnswers.every((answer) => answer['ok'] === true)).toBe(true);
    const subjects = fixture
      .serverGit(['log', '--format=%s', `${before}..main`])
      .trim()
      .split('\n');
    for (let index = 0; index < 20; index += 1) {
      expect(
        subjects.filter((subject) => subject === `drop push ${index}`),
        `push ${index}`,
      ).toHaveLength(1);
    }
    expect(subjects).toHaveLength(20);
    expect(
      fixture.sim.platform!.bridge.upgradeAttempts(fixture.sim.platform!.installationId),
    ).toBeGreaterThanOrEqual(6);
    await bridge.stop();
  }, 120_000);

  it('stops on a refused token with BRIDGE_TOKEN_REFUSED and tries again only when the token is replaced', async () => {
    const platform = fixture.sim.platform!;
    const bridge = fixture.start();
    await waitForState(bridge, 'connected');
    await fixture.platform('fault', { kind: 'refuse-token' });
    await fixture.platform('fault', { kind: 'drop' });
    const refused = await waitForState(bridge, 'refused');
    expect(refused.lastError?.code).toBe('BRIDGE_TOKEN_REFUSED');
    const attempts = platform.bridge.upgradeAttempts(platform.installationId);
    // The platform would take the same token again, but the companion does not try it.
    await fixture.platform('fault', { kind: 'ok' });
    await sleep(FAST.tokenPollMs * 6);
    expect(platform.bridge.upgradeAttempts(platform.installationId)).toBe(attempts);
    expect(bridge.status().state).toBe('refused');

    const { bridgeToken } = await fixture.platform('rotate-token', {});
    await fixture.secrets.set(bridgeTokenKey(fixture.installation.id), String(bridgeToken));
    await waitForState(bridge, 'connected');
    expect(platform.bridge.upgradeAttempts(platform.installationId)).toBeGreaterThan(attempts);
    await bridge.stop();
  }, 60_000);

  it('drops a connection whose pongs stall and connects again', async () => {
    const bridge = fixture.start({ ...FAST, pingIntervalMs: 100, pongTimeoutMs: 150 });
    await waitForState(bridge, 'connected');
    const attempts = fixture.sim.platform!.bridge.upgradeAttempts(
      fixture.sim.platform!.installationId,
    );
    await fixture.platform('fault', { kind: 'stall-pongs' });
    await waitForState(bridge, 'reconnecting');
    expect(fixture.logs.some((line) => line.includes('no pong in time'))).toBe(true);
    await fixture.platform('fault', { kind: 'ok' });
    await waitForState(bridge, 'connected');
    expect(
      fixture.sim.platform!.bridge.upgradeAttempts(fixture.sim.platform!.installationId),
    ).toBeGreaterThan(attempts);
    await bridge.stop();
  }, 60_000);
});
