import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompanionEvent } from '../../../common/api/models.js';
import { OPERATION_NAMES } from '../../../common/api/operations.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

/** Every file under a folder, as text, to prove a secret never reached the disk in clear. */
function allText(dir: string): string {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .map((path) =>
      statSync(path).isDirectory() ? allText(path) : readFileSync(path).toString('latin1'),
    )
    .join('\n');
}

describe('CompanionService against the simulator', () => {
  let sim: RunningSimulator;
  let home: string;
  let service: CompanionService;
  const events: CompanionEvent[] = [];
  const results: unknown[] = [];
  const keep = <T>(value: T): T => {
    results.push(value);
    return value;
  };

  beforeAll(async () => {
    sim = await startTestSimulator();
    home = mkdtempSync(join(tmpdir(), 'service-'));
    service = await openCompanionService({
      home,
      transport: 'http',
      logger: silentLogger,
      secretStore: createMemorySecretStore(),
      env: { BDC_COMPANION_CACHE_DIR: join(home, 'cache') },
      oauthRedirect: 'localhost',
    });
    service.onEvent((event) => events.push(event));
  });

  afterAll(async () => {
    await service?.close();
    await sim?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('offers every operation of the contract in this build', async () => {
    const info = await service.invoke('getAppInfo', []);
    expect([...info.capabilities].sort()).toEqual([...OPERATION_NAMES].sort());
    expect(info.secretStore?.backend).toBe('memory');
  });

  it('probes live: an untrusted chain first, with step events for the run', async () => {
    const report = keep(
      await service.invoke('probe', [{ url: sim.url, allowLoopback: true, runId: 'r1' }]),
    );
    expect(report.ok).toBe(false);
    expect(report.tls?.trusted).toBe(false);
    expect(report.tls?.chain.length).toBeGreaterThan(0);
    const stepEvents = events.filter(
      (event) => event.kind === 'probe-step' && event.runId === 'r1',
    );
    expect(stepEvents.map((event) => (event.kind === 'probe-step' ? event.step.name : ''))).toEqual(
      report.steps.map((step) => step.name),
    );
  });

  it('validates a pasted CA and proves it fixes the chain', async () => {
    const check = keep(await service.invoke('checkCa', [{ pem: sim.caPem }]));
    expect(check.certificates[0]?.ca).toBe(true);
    await expect(service.invoke('checkCa', [{ pem: 'not a pem' }])).rejects.toMatchObject({
      code: expect.stringMatching(/^TRUST_/),
    });
    const fixed = keep(
      await service.invoke('probe', [{ url: sim.url, allowLoopback: true, caPems: [sim.caPem] }]),
    );
    expect(fixed.ok).toBe(true);
    expect(fixed.version).toBeTruthy();
  });

  it('adds an installation only when the probe passes', async () => {
    await expect(
      service.invoke('addInstallation', [{ name: 'nope', baseUrl: sim.url, allowLoopback: true }]),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^TLS_|^PROBE_|^TRUST_/) });
    const installation = keep(
      await service.invoke('addInstallation', [
        { name: 'sim', baseUrl: sim.url, allowLoopback: true, caPems: [sim.caPem] },
      ]),
    );
    expect(installation.name).toBe('sim');
    expect((await service.invoke('listInstallations', [])).map((each) => each.name)).toEqual([
      'sim',
    ]);
  });

  it('signs in with a PAT, shows who and how many projects, and never returns the token', async () => {
    await expect(
      service.invoke('signInWithPat', [{ installation: 'sim', token: 'BBDC-wrong-token-value' }]),
    ).rejects.toMatchObject({ code: 'AUTH_TOKEN_REFUSED' });
    const result = keep(
      await service.invoke('signInWithPat', [{ installation: 'sim', token: sim.pat }]),
    );
    expect(result.user.name).toBe(sim.user.name);
    expect(result.projects).toBeGreaterThan(0);
    const status = keep(await service.invoke('getAuthStatus', [{ installation: 'sim' }]));
    expect(status).toMatchObject({ kind: 'pat', user: sim.user.name });
  });

  it('pushes through the engine and finds the push in history with a commit link', async () => {
    const outcome = keep(
      await service.invoke('testPush', [
        {
          installation: 'sim',
          repo: `${sim.project}/${sim.repo}`,
          branch: 'main',
          message: 'service test push',
          put: [{ path: 'service-test.txt', content: 'hello\n' }],
          delete: [],
          runId: 'push-1',
        },
      ]),
    );
    expect(outcome.kind).toBe('pushed');
    const phases = events.flatMap((event) =>
      event.kind === 'push-progress' && event.runId === 'push-1' ? [event.progress.phase] : [],
    );
    expect(phases).toContain('push');
    expect(phases.indexOf('build')).toBeLessThan(phases.indexOf('push'));
    const history = keep(await service.invoke('queryHistory', [{ installation: 'sim' }]));
    const entry = history.entries[0];
    expect(entry?.commit).toBe(outcome.kind === 'pushed' ? outcome.commit : undefined);
    expect(entry?.commitUrl).toContain(`/projects/${sim.project}/repos/${sim.repo}/commits/`);
    expect(events.some((event) => event.kind === 'history')).toBe(true);
  });

  it('reports relay status from the queue', async () => {
    const status = keep(await service.invoke('getRelayStatus', [{ installation: 'sim' }]));
    expect(status).toMatchObject({
      running: false,
      liveness: { running: [], lastRun: undefined },
      pending: 0,
      dead: 0,
    });
  });

  it('reads and saves the cache settings, and shows no proxy credential', async () => {
    const before = keep(await service.invoke('getSettings', []));
    expect(before).toMatchObject({
      cacheExpiryMinutes: 5,
      cacheMaxGiB: 10,
      fallbackThresholdMb: 50,
    });
    const after = keep(
      await service.invoke('updateSettings', [{ cacheExpiryMinutes: 7, fallbackThresholdMb: 20 }]),
    );
    expect(after).toMatchObject({
      cacheExpiryMinutes: 7,
      cacheMaxGiB: 10,
      fallbackThresholdMb: 20,
    });
    await expect(
      service.invoke('updateSettings', [{ cacheExpiryMinutes: 0 }]),
    ).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
  });

  it('runs diagnostics into a sectioned, redacted report', async () => {
    const report = keep(await service.invoke('runDiagnostics', []));
    expect(report.sections.length).toBeGreaterThan(0);
    expect(JSON.stringify(report)).not.toContain(sim.pat);
  });

  it('never puts the PAT into a result, an event or the config home', () => {
    const everything = JSON.stringify({ results, events });
    expect(everything).not.toContain(sim.pat);
    expect(allText(home)).not.toContain(sim.pat);
  });

  it('signs out', async () => {
    await service.invoke('signOut', [{ installation: 'sim' }]);
    expect(await service.invoke('getAuthStatus', [{ installation: 'sim' }])).toMatchObject({
      kind: 'none',
    });
  });
});
