import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectDiagnostics } from '../../../core/diagnostics/collect-diagnostics.js';
import { toDiagnosticsReport } from '../../../core/diagnostics/diagnostics-report.js';
import { Redactor } from '../../../core/logging/redact.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { openSettings } from '../../../core/settings/settings-file.js';

const home = mkdtempSync(join(tmpdir(), 'diag-report-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('diagnostics for the UI', () => {
  it('collects from a fresh home without a database or logs, and summarises it in sections', async () => {
    const settings = openSettings(home);
    const installation = newInstallation({ name: 'lab', baseUrl: 'https://bdc.lab.example' });
    settings.saveInstallation(installation);
    const store = createMemorySecretStore();
    await store.set({ installationId: installation.id, kind: 'pat' }, 'memory-pat-value-1234');
    const redactor = new Redactor();
    const bundle = await collectDiagnostics({
      home,
      env: { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.lab.example' },
      settings,
      secretStore: store,
      probe: false,
      redactor,
      clock: () => new Date('2026-11-28T12:00:00Z'),
    });
    // Registrations are released when collection ends.
    expect(redactor.size).toBe(0);
    expect(bundle.database.present).toBe(false);
    expect(bundle.installations[0]?.proxy).toEqual([
      {
        url: 'https://bdc.lab.example',
        role: 'bdc',
        route: { kind: 'direct', source: 'environment' },
        description: 'direct (proxy variables)',
        error: undefined,
      },
    ]);
    const report = toDiagnosticsReport(bundle);
    expect(report.generatedAt).toBe('2026-11-28T12:00:00.000Z');
    expect(report.sections.map((section) => section.title)).toEqual([
      'Versions',
      'Secret store',
      'Network',
      'Installation lab',
      'Activity',
    ]);
    expect(report.sections[1]?.items[0]).toMatchObject({ label: 'memory', ok: true });
    expect(report.sections[2]?.items).toContainEqual({
      label: 'NO_PROXY',
      value: '.lab.example',
      ok: undefined,
    });
    expect(report.sections[3]?.items).toContainEqual({
      label: 'probe',
      value: 'probing was turned off',
      ok: undefined,
    });
    expect(JSON.stringify(report)).not.toContain('memory-pat-value-1234');
  });
});
