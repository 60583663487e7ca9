import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logging/logger.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { runCliInProcess } from '../../helpers/cli-harness.js';
import { serviceError, type JsonDocument } from './surfaces-fixture.js';

// `bridge policy|status` and the bridge view run the same use cases: the same edit gives the same
// effective policy, the same bad rule the same code, and nothing is saved when a rule is wrong.
let root: string;
let api: CompanionService;
const homes = { cli: '', service: '' };

async function cli(args: readonly string[]): Promise<{ code: number; document: JsonDocument }> {
  const run = await runCliInProcess(['--home', homes.cli, '--json', ...args], { env: {} });
  return { code: run.code, document: JSON.parse(run.stdout || '{}') as JsonDocument };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'bridge-parity-'));
  for (const surface of ['cli', 'service'] as const) {
    homes[surface] = join(root, surface);
    openSettings(homes[surface]).saveInstallation(
      newInstallation({
        name: 'lab',
        baseUrl: 'https://bdc.example.test',
        platform: { baseUrl: 'https://platform.example.test', installationId: 'p-1', caPems: [] },
      }),
    );
  }
  api = await openCompanionService({
    home: homes.service,
    transport: 'http',
    logger: silentLogger,
    secretStore: createMemorySecretStore(),
    env: {},
    oauthRedirect: 'localhost',
    startRelays: false,
  });
});
afterAll(async () => {
  await api?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the bridge policy and status, from the CLI and from the service', () => {
  it('gives the same effective policy for the same edit', async () => {
    const fromCli = await cli([
      'bridge',
      'policy',
      'lab',
      '--allow-push',
      'OPS/deploy:main',
      '--read-project',
      'OPS',
    ]);
    const fromService = await api.invoke('updateBridgePolicy', [
      { installation: 'lab', allowPush: ['OPS/deploy:main'], readProjects: ['OPS'] },
    ]);
    expect(fromCli.code).toBe(0);
    expect(fromCli.document['policy']).toEqual(JSON.parse(JSON.stringify(fromService)));
    expect(fromService.push).toEqual(['OPS/deploy:main']);
  });

  it('refuses the same bad rule with the same code and keeps what was stored', async () => {
    const fromCli = await cli(['bridge', 'policy', 'lab', '--allow-push', 'no-branch-part']);
    const fromService = await serviceError(
      api.invoke('updateBridgePolicy', [{ installation: 'lab', allowPush: ['no-branch-part'] }]),
    );
    expect(fromCli.document['error']?.['code']).toBe(fromService);
    expect(fromService).toMatch(/^[A-Z_]+$/);
    for (const home of [homes.cli, homes.service]) {
      expect(openSettings(home).requireInstallation('lab').bridge?.push).toEqual([
        'OPS/deploy:main',
      ]);
    }
  });

  it('reports the same liveness of a bridge that never ran', async () => {
    const fromCli = await cli(['bridge', 'status', 'lab']);
    const fromService = await api.invoke('getBridgeStatus', [{ installation: 'lab' }]);
    expect(fromCli.document['running']).toBe(false);
    expect(fromService.running).toBe(false);
    expect(fromCli.document['lastRun']).toBeNull();
    expect(fromService.lastBeatAt).toBeUndefined();
  });
});
