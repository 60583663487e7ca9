import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_SETTINGS } from '../../common/models/installation.js';
import { createLogger } from '../../core/logging/file-logger.js';
import { createMemorySecretStore } from '../../core/secrets/memory-store.js';
import { openCompanionService } from '../../core/service/open-service.js';
import { openSettings } from '../../core/settings/settings-file.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliInProcess } from '../helpers/cli-harness.js';
import { startTestSimulator } from '../helpers/sim.js';

// The CLI's push and the desktop's test push share one configuration and one way of logging:
// what the settings view saved holds for `bdc-companion push` too (it used to be ignored).
let sim: RunningSimulator;
let dir: string;
let home: string;
let savedCache: string;
let env: Record<string, string | undefined>;

interface LogLine {
  readonly component: string;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

function logLines(): LogLine[] {
  const logs = path.join(home, 'logs');
  return readdirSync(logs)
    .flatMap((file) => readFileSync(path.join(logs, file), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

/** The meta.json files of the clone cache's entries under a folder. */
function cacheEntries(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'meta.json')
    .map((file) => path.join(root, file));
}

beforeAll(async () => {
  sim = await startTestSimulator({ platform: false });
  dir = mkdtempSync(path.join(tmpdir(), 'push-settings-'));
  home = path.join(dir, 'home');
  savedCache = path.join(dir, 'saved-cache');
  const credentials = path.join(dir, 'credentials');
  await mkdir(credentials, { recursive: true });
  writeFileSync(path.join(credentials, 'lab.pat'), `${sim.pat}\n`, { mode: 0o600 });
  openSettings(home).saveInstallation({
    id: '2b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
    name: 'lab',
    baseUrl: sim.url,
    caPems: [sim.caPem],
    allowLoopback: true,
    platform: undefined,
    auth: { kind: 'pat', user: sim.user.name, verifiedAt: new Date().toISOString() },
    relay: DEFAULT_RELAY_SETTINGS,
    createdAt: new Date().toISOString(),
  });
  // No BDC_COMPANION_CACHE_* here: the settings file is the only source of the cache settings.
  env = {
    PATH: process.env['PATH'],
    HOME: dir,
    BDC_COMPANION_SECRET_STORE: 'credentials-dir',
    CREDENTIALS_DIRECTORY: credentials,
  };
  // What the settings view saves: the expiry through its operation, the folder in the same record.
  const service = await openCompanionService({
    home,
    transport: 'http',
    logger: createLogger({ home, level: 'info', component: 'serve' }),
    secretStore: createMemorySecretStore(),
    env,
    oauthRedirect: 'localhost',
    startRelays: false,
  });
  try {
    const settings = openSettings(home);
    settings.saveCacheSettings?.({ ...settings.cacheSettings?.(), directory: savedCache });
    const view = await service.invoke('updateSettings', [{ cacheExpiryMinutes: 1 }]);
    expect(view).toMatchObject({ cacheExpiryMinutes: 1, cacheDirectory: savedCache });
  } finally {
    await service.close();
  }
});

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function push(content: string): Promise<void> {
  const file = path.join(dir, 'values.yaml');
  writeFileSync(file, content);
  const run = await runCliInProcess(
    [
      'push',
      'lab',
      '--repo',
      `${sim.project}/${sim.repo}`,
      '--branch',
      'main',
      '--message',
      'Deploy',
      '--put',
      `apps/values.yaml=${file}`,
      '--home',
      home,
      '--json',
    ],
    { env },
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

describe('bdc-companion push and the settings view', () => {
  it('clones into the cache folder saved in the settings', async () => {
    await push('replicas: 1\n');
    expect(cacheEntries(savedCache)).toHaveLength(1);
  });

  it('expires cache entries after the idle time saved in the settings view', async () => {
    // Two minutes idle: expired under the saved 1 minute, alive under the default 5.
    const [meta] = cacheEntries(savedCache) as [string];
    const entry = JSON.parse(readFileSync(meta, 'utf8')) as { lastUsedAt: number };
    writeFileSync(meta, JSON.stringify({ ...entry, lastUsedAt: Date.now() - 2 * 60_000 }));
    await push('replicas: 2\n');
    expect(
      logLines().filter(
        (line) =>
          line.message === 'clone cache entry rebuilt' && line.fields?.['reason'] === 'expired',
      ),
    ).toHaveLength(1);
  });

  it('logs a push like the desktop does (component push, the same fields)', async () => {
    const finished = logLines().filter((line) => line.message === 'push finished');
    expect(finished).toHaveLength(2);
    for (const line of finished) {
      expect(line.fields).toMatchObject({
        component: 'push',
        installation: 'lab',
        repo: `${sim.project}/${sim.repo}`,
        branch: 'main',
        result: 'committed',
        attempts: 1,
        engine: 'isomorphic-git',
      });
    }
  });
});
