import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLaunchdPlist } from '../../core/service-unit/launchd-plist.js';
import { renderSystemdUnit, quoteUnitWord } from '../../core/service-unit/systemd-unit.js';
import { newInstallation } from '../../core/settings/new-installation.js';
import { openSettings } from '../../core/settings/settings-file.js';
import { runCliInProcess } from '../helpers/cli-harness.js';

let root: string;
let home: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'service-'));
  home = join(root, 'var lib', 'bdc-companion');
  mkdirSync(home, { recursive: true });
  const settings = openSettings(home);
  settings.saveInstallation({
    ...newInstallation({
      name: 'prod',
      baseUrl: 'https://bdc.corp.example',
      caPems: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
      platform: { baseUrl: 'https://platform.ankra.io', installationId: 'inst-1', caPems: [] },
    }),
  });
  settings.saveInstallation(
    newInstallation({ name: 'noplatform', baseUrl: 'https://bdc2.corp.example' }),
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function systemdAnalyze(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** `systemd-analyze verify` on the unit saved under its own name; returns its complaints. */
function verify(unitName: string, unit: string): { status: number | null; output: string } {
  const directory = mkdtempSync(join(root, 'unit-'));
  const file = join(directory, unitName);
  writeFileSync(file, unit);
  const result = spawnSync(systemdAnalyze() as string, ['verify', '--man=no', file], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/** The settings of a section as key → values (a key may repeat). */
function section(unit: string, name: string): Map<string, string[]> {
  const body = unit.split(`[${name}]\n`)[1]?.split(/\n\[/)[0] ?? '';
  const entries = new Map<string, string[]>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    expect(at, line).toBeGreaterThan(0);
    const key = line.slice(0, at);
    entries.set(key, [...(entries.get(key) ?? []), line.slice(at + 1)]);
  }
  return entries;
}

describe('service install --print', () => {
  it('prints a hardened unit for the daemon (run: relay and bridge), with the webhook secret through LoadCredential', async () => {
    const run = await runCliInProcess(
      ['--home', home, 'service', 'install', 'prod', '--print', '--json'],
      {
        env: { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.corp.example,10.0.0.0/8' },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const { unitName, unit } = JSON.parse(run.stdout) as { unitName: string; unit: string };
    expect(unitName).toBe('bdc-companion-relay-prod.service');
    const service = section(unit, 'Service');
    expect(service.get('ExecStart')?.[0]).toMatch(
      /^\/\S+ \/\S+\/bin\/bdc-companion\.js run prod --log-level info$/,
    );
    expect(service.get('Environment')).toEqual([
      `"BDC_COMPANION_HOME=${home}"`,
      'BDC_COMPANION_SECRET_STORE=credentials-dir',
      'HTTPS_PROXY=http://proxy.corp:3128',
      'NO_PROXY=.corp.example,10.0.0.0/8',
    ]);
    // No bridge configured: only the relay's secret, so the unit starts without files it never reads.
    expect(service.get('LoadCredential')).toEqual([
      'prod.webhook-secret:/etc/bdc-companion/credentials/prod.webhook-secret',
    ]);
    expect(unit).toContain('set its policy with `bdc-companion bridge policy`');
    expect(service.get('Restart')).toEqual(['on-failure']);
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['CapabilityBoundingSet', ''],
      ['ReadWritePaths', `"${home}"`],
      ['UMask', '0077'],
    ] as const) {
      expect(service.get(key), key).toEqual([value]);
    }
    expect(section(unit, 'Install').get('WantedBy')).toEqual(['multi-user.target']);
    expect(unit).toContain('(1 for BDC, 0 for the platform)');
  });

  it('loads the bridge token and the PAT only once the bridge is configured', async () => {
    const policy = await runCliInProcess([
      '--home',
      home,
      'bridge',
      'policy',
      'prod',
      '--allow-push',
      'PLAT/gitops:main',
    ]);
    expect(policy.code, policy.stderr).toBe(0);
    const run = await runCliInProcess([
      '--home',
      home,
      'service',
      'install',
      'prod',
      '--print',
      '--json',
    ]);
    const { unit } = JSON.parse(run.stdout) as { unit: string };
    expect(section(unit, 'Service').get('LoadCredential')).toEqual([
      'prod.webhook-secret:/etc/bdc-companion/credentials/prod.webhook-secret',
      'prod.bridge-token:/etc/bdc-companion/credentials/prod.bridge-token',
      'prod.pat:/etc/bdc-companion/credentials/prod.pat',
    ]);
    expect(unit).not.toContain('bridge policy');
  });

  it.skipIf(systemdAnalyze() === undefined)(
    'the printed units pass systemd-analyze verify',
    async () => {
      for (const extra of [
        [],
        ['--secret-store', 'encrypted-file', '--user', 'relay', '--credentials-dir', '/srv/creds'],
      ]) {
        const run = await runCliInProcess(
          ['--home', home, 'service', 'install', 'prod', '--print', '--json', ...extra],
          {
            env: { HTTPS_PROXY: 'http://user:pa%40ss@proxy.corp:3128', NO_PROXY: 'localhost' },
          },
        );
        expect(run.code, run.stderr).toBe(0);
        const { unitName, unit } = JSON.parse(run.stdout) as { unitName: string; unit: string };
        expect(verify(unitName, unit)).toEqual({ status: 0, output: '' });
      }
    },
  );

  it.skipIf(systemdAnalyze() === undefined)(
    'the verification catches a broken unit (the check can fail)',
    () => {
      const broken = renderSystemdUnit({
        extraCredentials: ['bridge-token', 'pat'],
        installationName: 'x',
        home: '/var/lib/bdc companion',
        nodePath: process.execPath,
        binPath: process.execPath,
        user: 'bdc-companion',
        group: 'bdc-companion',
        secretStore: 'credentials-dir',
        credentialsSource: '/etc/c',
        listenPort: 8787,
        proxy: { httpsProxy: '', httpProxy: '', noProxy: '' },
        caCounts: { bdc: 0, platform: 0 },
        logLevel: 'info',
        companionVersion: 't',
      }).replace(/ReadWritePaths=.*/, 'ReadWritePaths=/var/lib/bdc companion\nProtectSytem=strict');
      const result = verify('bdc-companion-relay-x.service', broken);
      expect(result.output).toMatch(/not absolute|Unknown key/);
    },
  );

  it('keeps proxy credentials out of the unit and hands the encrypted-file passphrase in as a credential', async () => {
    const run = await runCliInProcess(
      ['--home', home, 'service', 'install', 'prod', '--print', '--secret-store', 'encrypted-file'],
      { env: { HTTPS_PROXY: 'http://user:s3cret-proxy@proxy.corp:3128' } },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('s3cret-proxy');
    const service = section(run.stdout, 'Service');
    expect(service.get('EnvironmentFile')).toEqual(['-/etc/bdc-companion/relay-prod.env']);
    expect(service.get('LoadCredential')).toEqual([
      'secrets-passphrase:/etc/bdc-companion/credentials/secrets-passphrase',
    ]);
    expect(service.get('Environment')).toContain(
      'BDC_COMPANION_SECRETS_PASSPHRASE_FILE=%d/secrets-passphrase',
    );
  });

  it('grants the bind capability only for a port below 1024, and uses ProtectHome=read-only for homes under /home', () => {
    const base = {
      installationName: 'x',
      nodePath: '/usr/bin/node',
      binPath: '/opt/bdc/bin/bdc-companion.js',
      user: 'bdc-companion',
      group: 'bdc-companion',
      secretStore: 'credentials-dir' as const,
      credentialsSource: '/etc/c',
      proxy: { httpsProxy: '', httpProxy: '', noProxy: '' },
      caCounts: { bdc: 0, platform: 0 },
      logLevel: 'info' as const,
      companionVersion: 't',
      extraCredentials: [],
    };
    const low = section(
      renderSystemdUnit({ ...base, home: '/home/ops/.config/bdc-companion', listenPort: 443 }),
      'Service',
    );
    expect(low.get('AmbientCapabilities')).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(low.get('ProtectHome')).toEqual(['read-only']);
    expect(
      renderSystemdUnit({ ...base, home: '/home/ops/.config/bdc-companion', listenPort: 443 }),
    ).toContain('# Note: /home/ops/.config/bdc-companion is a personal or temporary folder.');
    const high = section(
      renderSystemdUnit({ ...base, home: '/var/lib/bdc', listenPort: 8787 }),
      'Service',
    );
    expect(high.get('AmbientCapabilities')).toEqual(['']);
  });

  it('notes the relay certificate files, and warns when the confinement hides them', () => {
    const base = {
      installationName: 'x',
      nodePath: '/usr/bin/node',
      binPath: '/opt/bdc/bin/bdc-companion.js',
      user: 'bdc-companion',
      group: 'bdc-companion',
      secretStore: 'credentials-dir' as const,
      credentialsSource: '/etc/c',
      proxy: { httpsProxy: '', httpProxy: '', noProxy: '' },
      caCounts: { bdc: 0, platform: 0 },
      logLevel: 'info' as const,
      companionVersion: 't',
      home: '/var/lib/bdc',
      listenPort: 8443,
      extraCredentials: [],
    };
    const readable = renderSystemdUnit({
      ...base,
      relayTls: { certFile: '/etc/bdc/relay.crt', keyFile: '/etc/bdc/relay.key' },
    });
    expect(readable).toContain('# Relay HTTPS: /etc/bdc/relay.crt and /etc/bdc/relay.key');
    expect(readable).not.toContain('# Warning:');
    const hidden = renderSystemdUnit({
      ...base,
      relayTls: { certFile: '/home/ops/relay.crt', keyFile: '/tmp/relay.key' },
    });
    expect(hidden).toContain('# Warning: /home/ops/relay.crt and /tmp/relay.key cannot be read');
    expect(() =>
      renderSystemdUnit({
        ...base,
        relayTls: { certFile: '/etc/r.crt\nExecStartPre=/bin/evil', keyFile: '/etc/r.key' },
      }),
    ).toThrow();
  });

  it('quotes and escapes unit words', () => {
    expect(quoteUnitWord('/plain/path')).toBe('/plain/path');
    expect(quoteUnitWord('/a b/c')).toBe('"/a b/c"');
    expect(quoteUnitWord('100%')).toBe('100%%');
    expect(quoteUnitWord('$HOME', { expandsVariables: true })).toBe('$$HOME');
    expect(quoteUnitWord('say "hi"')).toBe('"say \\"hi\\""');
    expect(() => quoteUnitWord('line\nbreak')).toThrow(/control character/);
  });

  it('refuses without --print, for an installation without a platform, a keychain store, or a bad user', async () => {
    const cases: [string[], number, string][] = [
      [['service', 'install', 'prod'], 2, 'USAGE_INVALID'],
      [['service', 'install', 'noplatform', '--print'], 1, 'RELAY_NOT_CONFIGURED'],
      [['service', 'install', 'prod', '--print', '--secret-store', 'keytar'], 2, 'USAGE_INVALID'],
      [['service', 'install', 'prod', '--print', '--user', 'Root; rm'], 1, 'INPUT_INVALID'],
      [['service', 'install', 'missing', '--print'], 1, 'INSTALLATION_NOT_FOUND'],
    ];
    for (const [argv, code, errorCode] of cases) {
      const run = await runCliInProcess(['--home', home, '--json', ...argv]);
      expect(run.code, argv.join(' ')).toBe(code);
      expect(JSON.parse(run.stdout).error.code).toBe(errorCode);
    }
  });

  it('prints a LaunchDaemon plist that a real plist parser reads back', async () => {
    const run = await runCliInProcess(
      ['--home', home, 'service', 'install', 'prod', '--print', '--format', 'launchd', '--json'],
      {
        env: { HTTPS_PROXY: 'http://ops:pl1st-secret@proxy.corp:3128', NO_PROXY: '.corp.example' },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const { label, plist } = JSON.parse(run.stdout) as { label: string; plist: string };
    expect(label).toBe('io.ankra.bdc-companion.relay.prod');
    expect(plist).not.toContain('pl1st-secret');
    const parsed = parsePlist(plist);
    expect(parsed).toMatchObject({
      Label: label,
      UserName: 'bdc-companion',
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      Umask: 63,
      EnvironmentVariables: {
        BDC_COMPANION_HOME: home,
        BDC_COMPANION_SECRET_STORE: 'encrypted-file',
        BDC_COMPANION_SECRETS_PASSPHRASE_FILE: '/etc/bdc-companion/credentials/secrets-passphrase',
        NO_PROXY: '.corp.example',
      },
    });
    expect(
      (parsed['EnvironmentVariables'] as Record<string, string>)['HTTPS_PROXY'],
    ).toBeUndefined();
    expect((parsed['ProgramArguments'] as string[]).slice(2)).toEqual([
      'run',
      'prod',
      '--log-level',
      'info',
    ]);
    const refused = await runCliInProcess([
      '--home',
      home,
      '--json',
      'service',
      'install',
      'prod',
      '--print',
      '--format',
      'launchd',
      '--secret-store',
      'credentials-dir',
    ]);
    expect(refused.code).toBe(2);
  });

  it('escapes XML and keeps comments well-formed whatever the names are', () => {
    const plist = renderLaunchdPlist({
      installationName: 'a--b',
      home: '/srv/a & b <c>',
      nodePath: '/usr/bin/node',
      binPath: '/opt/x.js',
      user: 'relay',
      credentialsSource: '/etc/c',
      proxy: { httpsProxy: '', httpProxy: '', noProxy: '' },
      logLevel: 'debug',
      companionVersion: 'v--1',
    });
    const parsed = parsePlist(plist);
    expect(parsed['Label']).toBe('io.ankra.bdc-companion.relay.a--b');
    expect(parsed['WorkingDirectory']).toBe('/srv/a & b <c>');
  });
});

/** Parses with Python's plistlib, an independent real parser (python3 is a system dependency). */
function parsePlist(text: string): Record<string, unknown> {
  const result = spawnSync(
    'python3',
    [
      '-c',
      'import sys, json, plistlib; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))',
    ],
    { input: text, encoding: 'utf8', timeout: 20_000 },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}
