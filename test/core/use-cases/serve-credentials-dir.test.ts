import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_SETTINGS } from '../../../common/models/installation.js';
import { createLogger } from '../../../core/logging/file-logger.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { serveCompanion } from '../../../core/use-cases/serve-companion.js';
import type { RunningSimulator } from '../../../sim/simulator-api.js';
import { startTestSimulator } from '../../helpers/sim.js';

// `service install` tells the admin to create `<name>.pat` in the unit's credentials; `serve`
// under such a unit used to look only for `<id>.pat`, so it reported the installation signed out.
let sim: RunningSimulator;
let dir: string;

beforeAll(async () => {
  sim = await startTestSimulator({ platform: false });
  dir = mkdtempSync(path.join(tmpdir(), 'serve-credentials-'));
});

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('serve with the credentials-dir store', () => {
  it('finds a PAT stored under the installation name', async () => {
    const home = path.join(dir, 'home');
    const credentials = path.join(dir, 'credentials');
    const bundleDir = path.join(dir, 'ui');
    await mkdir(credentials, { recursive: true });
    await mkdir(bundleDir, { recursive: true });
    writeFileSync(path.join(bundleDir, 'index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(path.join(credentials, 'lab.pat'), `${sim.pat}\n`, { mode: 0o600 });
    openSettings(home).saveInstallation({
      id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
      name: 'lab',
      baseUrl: sim.url,
      caPems: [sim.caPem],
      allowLoopback: true,
      platform: undefined,
      auth: { kind: 'pat', user: sim.user.name, verifiedAt: new Date().toISOString() },
      relay: DEFAULT_RELAY_SETTINGS,
      createdAt: new Date().toISOString(),
    });
    const session = await serveCompanion(
      {
        home,
        env: {
          PATH: process.env['PATH'],
          HOME: dir,
          BDC_COMPANION_SECRET_STORE: 'credentials-dir',
          CREDENTIALS_DIRECTORY: credentials,
        },
        logger: createLogger({ home, level: 'info', component: 'serve' }),
      },
      { bundleDir, port: 0 },
    );
    try {
      const projects = await session.service.invoke('listProjects', [{ installation: 'lab' }]);
      expect(projects.map((project) => project.key)).toContain(sim.project);
    } finally {
      await session.close();
    }
  });
});
