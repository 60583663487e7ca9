import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { startSimulator } from '../../sim/index.js';
import { runCliInProcess, runCliProcess } from '../helpers/cli-harness.js';
import {
  filesContaining,
  keychainReadByOtherProcess,
  type JsonDocument,
} from './identity-helpers.js';

const keyring = process.env['BDC_KEYRING_READY'] === '1';
let sim: RunningSimulator;
let home: string;

beforeAll(async () => {
  sim = await startSimulator({ platform: false });
  home = mkdtempSync(join(tmpdir(), 'bdc-cli-installation-'));
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
  return {
    ...run,
    document: JSON.parse(run.stdout) as JsonDocument,
  };
}

describe('installation commands against the simulator', () => {
  it('refuses what the probe refuses and saves nothing', async () => {
    const untrusted = await cli([
      'installation',
      'add',
      'sim',
      '--url',
      sim.url,
      '--allow-loopback',
    ]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.document.error.code).toBe('TLS_UNTRUSTED');
    expect(untrusted.document.error.message).toContain('Not added');
    const loopback = await cli([
      'installation',
      'add',
      'sim',
      '--url',
      sim.url,
      '--ca-file',
      sim.caFile,
    ]);
    expect(loopback.document.error.code).toBe('INSTANCE_ADDRESS_FORBIDDEN');
    const http = await cli([
      'installation',
      'add',
      'sim',
      '--url',
      sim.url.replace('https', 'http'),
      '--allow-loopback',
    ]);
    expect(http.document.error.code).toBe('HTTPS_REQUIRED');
    expect((await cli(['installation', 'list'])).document.installations).toEqual([]);
  });

  it('adds an installation after a successful probe and shows it', async () => {
    const added = await cli([
      'installation',
      'add',
      'sim',
      '--url',
      `${sim.url}/`,
      '--ca-file',
      sim.caFile,
      '--allow-loopback',
    ]);
    expect(added.code).toBe(0);
    expect(added.document.installation).toMatchObject({
      name: 'sim',
      baseUrl: sim.url,
      allowLoopback: true,
      caCertificates: 1,
      auth: { kind: 'none' },
    });
    expect(added.document.probe.version).toBe('9.4.22');
    const listed = await cli(['installation', 'list']);
    expect(listed.document.installations.map((entry: { name: string }) => entry.name)).toEqual([
      'sim',
    ]);
    const shown = await cli(['installation', 'show', 'SIM']);
    expect(shown.document.installation.id).toBe(added.document.installation.id);
    const again = await cli([
      'installation',
      'add',
      'sim',
      '--url',
      sim.url,
      '--ca-file',
      sim.caFile,
      '--allow-loopback',
    ]);
    expect(again.document.error.code).toBe('INSTALLATION_EXISTS');
    const missing = await cli(['installation', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.document.error.code).toBe('INSTALLATION_NOT_FOUND');
  });

  it('refuses bad names and incomplete platform links as usage errors', async () => {
    expect((await cli(['installation', 'add', 'a b', '--url', sim.url])).document.error.code).toBe(
      'INSTALLATION_NAME_INVALID',
    );
    const half = await cli([
      'installation',
      'add',
      'p',
      '--url',
      sim.url,
      '--platform-url',
      'https://x',
    ]);
    expect(half.code).toBe(2);
    expect(half.document.error.code).toBe('USAGE_INVALID');
    const both = await cli([
      'installation',
      'add',
      'p',
      '--url',
      sim.url,
      '--webhook-secret-stdin',
      '--webhook-secret-file',
      'x',
    ]);
    expect(both.code).toBe(2);
    const key = join(home, 'key.pem');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
    const leaked = await cli([
      'installation',
      'add',
      'p',
      '--url',
      sim.url,
      '--ca-file',
      key,
      '--allow-loopback',
    ]);
    expect(leaked.document.error.code).toBe('TRUST_PRIVATE_KEY');
    expect(leaked.document.error.message).toContain('PRIVATE KEY');
  });

  it.runIf(keyring)(
    'stores the webhook secret in the keychain and remove deletes every secret',
    async () => {
      const secret = `whsec-${'x'.repeat(8)}-${Date.now()}-MARKER`;
      const added = await cli(
        [
          'installation',
          'add',
          'hooks',
          '--url',
          sim.url,
          '--ca-file',
          sim.caFile,
          '--allow-loopback',
          '--platform-url',
          'https://platform.example',
          '--platform-installation-id',
          'inst-42',
          '--webhook-secret-stdin',
        ],
        `${secret}\n`,
      );
      expect(added.code).toBe(0);
      expect(added.document.installation.platform).toEqual({
        baseUrl: 'https://platform.example',
        installationId: 'inst-42',
        caCertificates: 0,
      });
      const id = added.document.installation.id as string;
      expect(keychainReadByOtherProcess(`${id}/webhook-secret`)).toBe(secret);
      expect(filesContaining(home, secret)).toEqual([]);

      const pat = await cli(['auth', 'pat', 'hooks', '--token-stdin'], sim.pat);
      expect(pat.code).toBe(0);
      expect(keychainReadByOtherProcess(`${id}/pat`)).toBe(sim.pat);

      const removed = await cli(['installation', 'remove', 'hooks']);
      expect(removed.code).toBe(0);
      expect(removed.document.secretsDeleted.sort()).toEqual(['pat', 'webhook-secret']);
      expect(keychainReadByOtherProcess(`${id}/webhook-secret`)).toBeNull();
      expect(keychainReadByOtherProcess(`${id}/pat`)).toBeNull();
      expect((await cli(['installation', 'show', 'hooks'])).document.error.code).toBe(
        'INSTALLATION_NOT_FOUND',
      );
    },
  );

  it.runIf(keyring)(
    'works the same from the installed bin (keytar loaded lazily by the bundle)',
    async () => {
      const env = {
        DBUS_SESSION_BUS_ADDRESS: process.env['DBUS_SESSION_BUS_ADDRESS'],
        BDC_COMPANION_HOME: home,
      };
      const added = await runCliProcess(
        [
          'installation',
          'add',
          'bin',
          '--url',
          sim.url,
          '--ca-file',
          sim.caFile,
          '--allow-loopback',
          '--json',
        ],
        { env },
      );
      expect(added.code, added.stderr).toBe(0);
      const id = (JSON.parse(added.stdout) as JsonDocument).installation.id as string;
      const pat = await runCliProcess(['auth', 'pat', 'bin', '--token-stdin', '--json'], {
        env,
        stdin: `${sim.pat}\n`,
      });
      expect(JSON.parse(pat.stdout)).toMatchObject({
        ok: true,
        user: sim.user.name,
        secretStore: 'keytar',
      });
      expect(keychainReadByOtherProcess(`${id}/pat`)).toBe(sim.pat);
      // Without a Secret Service the bin fails with the classified code, and stores nothing.
      const noBus = await runCliProcess(['auth', 'pat', 'bin', '--token-stdin', '--json'], {
        env: { BDC_COMPANION_HOME: home, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
        stdin: sim.pat,
      });
      expect(noBus.code).toBe(1);
      expect(JSON.parse(noBus.stdout).error.code).toBe('SECRET_STORE_UNAVAILABLE');
      const removed = await runCliProcess(['installation', 'remove', 'bin', '--json'], { env });
      expect(JSON.parse(removed.stdout).secretsDeleted).toEqual(['pat']);
      expect(keychainReadByOtherProcess(`${id}/pat`)).toBeNull();
    },
  );

  it('preserves a corrupted settings file aside and says so clearly', async () => {
    const corruptHome = mkdtempSync(join(tmpdir(), 'bdc-cli-corrupt-'));
    try {
      writeFileSync(
        join(corruptHome, 'settings.json'),
        '{"schemaVersion":1,"installations":[{"name":',
      );
      const run = await runCliInProcess(['--home', corruptHome, 'installation', 'list']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('[SETTINGS_CORRUPT]');
      expect(run.stderr).toMatch(/It was kept as .*settings\.json\.corrupt-/);
      expect(run.stderr).toContain('hint');
      const kept = readdirSync(corruptHome).filter((name) =>
        name.startsWith('settings.json.corrupt-'),
      );
      expect(kept).toHaveLength(1);
      expect(readFileSync(join(corruptHome, kept[0] as string), 'utf8')).toBe(
        '{"schemaVersion":1,"installations":[{"name":',
      );
      const after = await runCliInProcess([
        '--home',
        corruptHome,
        '--json',
        'installation',
        'list',
      ]);
      expect(JSON.parse(after.stdout)).toEqual({ ok: true, installations: [] });
    } finally {
      rmSync(corruptHome, { recursive: true, force: true });
    }
  });
});
