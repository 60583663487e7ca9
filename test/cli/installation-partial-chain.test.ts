import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logging/logger.js';
import { createMemorySecretStore } from '../../core/secrets/memory-store.js';
import { openCompanionService } from '../../core/service/open-service.js';
import { installationNetworkOptions } from '../../core/net/installation-network.js';
import { openSettings, settingsFilePath } from '../../core/settings/settings-file.js';
import {
  migrateSettingsDocument,
  SETTINGS_SCHEMA_VERSION,
} from '../../core/settings/settings-schema.js';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliInProcess } from '../helpers/cli-harness.js';
import type { JsonDocument } from './identity-helpers.js';

const keyring = process.env['BDC_KEYRING_READY'] === '1';
let sim: RunningSimulator;
let home: string;
let intermediateFile: string;

beforeAll(async () => {
  sim = await startSimulator({ platform: false });
  home = mkdtempSync(join(tmpdir(), 'bdc-cli-partial-chain-'));
  intermediateFile = join(home, 'intermediate.pem');
  writeFileSync(intermediateFile, sim.intermediatePem);
});
afterAll(async () => {
  await sim.close();
  rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[], stdin?: string) {
  const run = await runCliInProcess(
    ['--home', home, '--json', ...args],
    stdin === undefined ? {} : { stdin },
  );
  return { ...run, document: JSON.parse(run.stdout) as JsonDocument };
}

describe('installations that trust an intermediate-only CA', () => {
  it('adds one only with --partial-chain, and stores the choice', async () => {
    const base = ['installation', 'add', 'inter', '--url', sim.url, '--allow-loopback'];
    const plain = await cli([...base, '--ca-file', intermediateFile]);
    expect(plain.document['error'].code).toBe('TRUST_INTERMEDIATE_ONLY');
    expect((await cli([...base, '--partial-chain'])).document['error'].code).toBe('INPUT_INVALID');

    const added = await cli([...base, '--ca-file', intermediateFile, '--partial-chain']);
    expect(added.code).toBe(0);
    expect(added.document['installation'].allowPartialChain).toBe(true);
    expect(openSettings(home).requireInstallation('inter').allowPartialChain).toBe(true);
  });

  it.runIf(keyring)('uses the choice for later connections (PAT sign-in over REST)', async () => {
    const signedIn = await cli(['auth', 'pat', 'inter', '--token-stdin'], `${sim.pat}\n`);
    expect(signedIn.document['error']).toBeUndefined();
    expect(signedIn.code).toBe(0);
    await cli(['auth', 'logout', 'inter']);
  });

  it('adds one through the service only with the explicit choice', async () => {
    const serviceHome = mkdtempSync(join(tmpdir(), 'bdc-partial-chain-service-'));
    const service = await openCompanionService({
      home: serviceHome,
      transport: 'http',
      logger: silentLogger,
      secretStore: createMemorySecretStore(),
      env: { BDC_COMPANION_CACHE_DIR: join(serviceHome, 'cache') },
      oauthRedirect: 'localhost',
      startRelays: false,
    });
    try {
      const draft = {
        name: 'inter',
        baseUrl: sim.url,
        allowLoopback: true,
        caPems: [sim.intermediatePem],
      };
      await expect(service.invoke('addInstallation', [draft])).rejects.toMatchObject({
        code: 'TRUST_INTERMEDIATE_ONLY',
      });
      const added = await service.invoke('addInstallation', [
        { ...draft, allowPartialChain: true },
      ]);
      expect(added.allowPartialChain).toBe(true);
      // Later REST traffic of the installation trusts what the probe trusted.
      const signedIn = await service.invoke('signInWithPat', [
        { installation: 'inter', token: sim.pat },
      ]);
      expect(signedIn.user.name).toBe(sim.user.name);
      // Both push engines: undici for isomorphic-git, curl's partial chain for the git CLI.
      for (const engine of ['isomorphic-git', 'git'] as const) {
        const outcome = await service.invoke('testPush', [
          {
            installation: 'inter',
            repo: `${sim.project}/${sim.repo}`,
            branch: 'main',
            message: `partial chain via ${engine}`,
            put: [{ path: `partial-${engine}.txt`, content: `${engine}\n` }],
            delete: [],
            engine,
          },
        ]);
        expect(outcome).toMatchObject({ kind: 'pushed', engine });
      }
    } finally {
      await service.close();
      rmSync(serviceHome, { recursive: true, force: true });
    }
  });

  it('migrates older settings to allowPartialChain false and builds NetworkOptions from it', () => {
    const outcome = migrateSettingsDocument(
      {
        schemaVersion: 1,
        installations: [{ name: 'old', baseUrl: 'https://bdc.corp', allowLoopback: false }],
      },
      { now: '2026-11-28T00:00:00.000Z', newId: () => '00000000-0000-4000-8000-000000000000' },
    );
    expect(outcome.kind).toBe('migrated');
    const document = outcome.kind === 'migrated' ? outcome.document : {};
    expect(document['schemaVersion']).toBe(SETTINGS_SCHEMA_VERSION);
    expect(
      (document['installations'] as { allowPartialChain: boolean }[])[0]?.allowPartialChain,
    ).toBe(false);

    const oldHome = mkdtempSync(join(tmpdir(), 'bdc-partial-chain-migration-'));
    try {
      writeFileSync(
        settingsFilePath(oldHome),
        JSON.stringify({
          schemaVersion: 1,
          installations: [
            {
              id: '00000000-0000-4000-8000-000000000001',
              name: 'old',
              baseUrl: 'https://bdc.corp',
              caPems: [],
              allowLoopback: false,
              auth: { kind: 'none' },
              relay: {
                enabled: false,
                listen: '127.0.0.1:8787',
                allowedEvents: ['repo:refs_changed'],
              },
              createdAt: '2026-01-01T00:00:00.000Z',
            },
          ],
        }),
      );
      const old = openSettings(oldHome).requireInstallation('old');
      expect(old.allowPartialChain).toBe(false);
      expect(installationNetworkOptions(old).allowPartialChain).toBeUndefined();
      expect(
        installationNetworkOptions({
          ...old,
          caPems: [sim.intermediatePem],
          allowPartialChain: true,
        }),
      ).toMatchObject({ addressPolicy: 'instance', allowPartialChain: true });
    } finally {
      rmSync(oldHome, { recursive: true, force: true });
    }
  });
});
