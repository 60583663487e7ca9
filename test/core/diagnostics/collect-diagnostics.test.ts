import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectDiagnostics } from '../../../core/diagnostics/collect-diagnostics.js';
import { toDiagnosticsReport } from '../../../core/diagnostics/diagnostics-report.js';
import { createLogger, closeLogFiles } from '../../../core/logging/file-logger.js';
import { Redactor } from '../../../core/logging/redact.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { startTestSimulator, type RunningSimulator } from '../../helpers/sim.js';

let sim: RunningSimulator;
const home = mkdtempSync(join(tmpdir(), 'diag-sim-'));

beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(async () => {
  await sim.close();
  closeLogFiles();
  rmSync(home, { recursive: true, force: true });
});

describe('collectDiagnostics against the simulator over real HTTPS', () => {
  it('includes the probe with the chain the server presented, and the redacted log', async () => {
    const settings = openSettings(home);
    const installation = newInstallation({
      name: 'sim',
      baseUrl: sim.url,
      caPems: [sim.caPem],
      allowLoopback: true,
    });
    settings.saveInstallation(installation);
    const store = createMemorySecretStore();
    await store.set({ installationId: installation.id, kind: 'pat' }, sim.pat);
    const redactor = new Redactor();
    // A logger that is handed the PAT in a field name nobody would flag.
    createLogger({ home, level: 'info', component: 'test', redactor: new Redactor() }).info(
      'request',
      { note: `used ${sim.pat}` },
    );

    const bundle = await collectDiagnostics({
      home,
      env: {},
      settings,
      secretStore: store,
      redactor,
    });
    const [report] = bundle.installations;
    if (report === undefined || !('steps' in report.probe))
      throw new Error('no probe in the bundle');
    expect(report.probe.steps.map((step) => [step.name, step.ok])).toEqual([
      ['url', true],
      ['dns', true],
      ['address', true],
      ['tcp', true],
      ['tls', true],
      ['http', true],
      ['version', true],
    ]);
    expect(report.probe.tls?.trusted).toBe(true);
    expect(report.probe.tls?.chain.length).toBeGreaterThanOrEqual(2);
    expect(report.caCertificates).toHaveLength(1);
    expect(report.caCertificates[0]).toMatchObject({ ca: true, selfSigned: true });
    expect(JSON.stringify(bundle)).not.toContain(sim.pat);
    expect(JSON.stringify(bundle.logs)).toContain('used [REDACTED]');

    const summary = toDiagnosticsReport(bundle);
    const section = summary.sections.find((entry) => entry.title === 'Installation sim');
    expect(section?.items.find((item) => item.label === 'certificate chain')).toMatchObject({
      ok: true,
    });
    expect(
      section?.items.filter((item) => item.label.startsWith('probe:')).every((item) => item.ok),
    ).toBe(true);
  });

  it('probes a partial-chain installation with its own trust choice (intermediate CA alone)', async () => {
    const partialHome = mkdtempSync(join(tmpdir(), 'diag-partial-'));
    try {
      const settings = openSettings(partialHome);
      const installation = newInstallation({
        name: 'partial',
        baseUrl: sim.url,
        caPems: [sim.intermediatePem],
        allowLoopback: true,
        allowPartialChain: true,
      });
      settings.saveInstallation(installation);
      const bundle = await collectDiagnostics({
        home: partialHome,
        env: {},
        settings,
        secretStore: createMemorySecretStore(),
        redactor: new Redactor(),
      });
      const [report] = bundle.installations;
      if (report === undefined || !('steps' in report.probe))
        throw new Error('no probe in the bundle');
      expect(report.probe.tls?.trusted).toBe(true);
      expect(report.probe.steps.every((step) => step.ok)).toBe(true);
    } finally {
      rmSync(partialHome, { recursive: true, force: true });
    }
  });
});
