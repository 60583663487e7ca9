import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_SETTINGS } from '../../common/models/installation.js';
import { openSettings } from '../../core/settings/settings-file.js';
import { runCliInProcess } from '../helpers/cli-harness.js';

// `network show` / `network set`: the CLI side of the Network section (the same use cases).
// Credentials come on standard input, never as an argument, and never land in settings.json.

const SECRET = 'cli-proxy-secret-5521';
let dir: string;
let home: string;
let env: Record<string, string | undefined>;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-network-'));
  home = path.join(dir, 'home');
  const passphrase = path.join(dir, 'passphrase');
  writeFileSync(passphrase, 'cli-network-passphrase-01\n', { mode: 0o600 });
  env = {
    PATH: process.env['PATH'],
    HOME: dir,
    BDC_COMPANION_SECRET_STORE: 'encrypted-file',
    BDC_COMPANION_SECRETS_PASSPHRASE_FILE: passphrase,
  };
  openSettings(home).saveInstallation({
    id: '3c1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
    name: 'prod',
    baseUrl: 'https://bitbucket.corp.example',
    caPems: [],
    allowLoopback: false,
    allowPartialChain: false,
    platform: { baseUrl: 'https://platform.ankra.example', installationId: 'inst-7', caPems: [] },
    auth: { kind: 'none' },
    relay: DEFAULT_RELAY_SETTINGS,
    createdAt: new Date().toISOString(),
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: string[], stdin?: string) =>
  runCliInProcess(['--home', home, ...argv], { env, ...(stdin === undefined ? {} : { stdin }) });

describe('network set and show', () => {
  it('sets a proxy with credentials from standard input and shows each route without them', async () => {
    const set = await run(
      [
        'network',
        'set',
        '--proxy',
        'http://proxy.corp.example:3128',
        '--no-proxy',
        '.corp.example',
        '--proxy-credentials-stdin',
        '--json',
      ],
      `ops:${SECRET}\n`,
    );
    expect(set.code, set.stderr).toBe(0);
    const shown = await run(['network', 'show', '--json']);
    expect(shown.code).toBe(0);
    const { network } = JSON.parse(shown.stdout) as {
      network: {
        setting: unknown;
        installations: { routes: { role: string; description: string }[] }[];
      };
    };
    expect(network.setting).toEqual({
      kind: 'manual',
      url: 'http://proxy.corp.example:3128',
      noProxy: '.corp.example',
      credentials: true,
    });
    expect(network.installations[0]!.routes.map((row) => [row.role, row.description])).toEqual([
      ['bdc', 'direct (Network setting)'],
      ['platform', 'via proxy http://proxy.corp.example:3128 (Network setting)'],
      ['relay', 'via proxy http://proxy.corp.example:3128 (Network setting)'],
    ]);
    const human = await run(['network', 'show']);
    expect(human.stdout).toContain(
      'proxy http://proxy.corp.example:3128 with a user name and password',
    );
    for (const output of [set.stdout, shown.stdout, human.stdout, set.stderr]) {
      expect(output).not.toContain(SECRET);
    }
    expect(readFileSync(path.join(home, 'settings.json'), 'utf8')).not.toContain(SECRET);
  });

  it('refuses credentials inside the URL without echoing them, and keeps what was stored', async () => {
    const refused = await run([
      'network',
      'set',
      '--proxy',
      `http://ops:${SECRET}@proxy.corp.example:3128`,
      '--json',
    ]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.code).toBe('PROXY_URL_INVALID');
    expect(refused.stdout + refused.stderr).not.toContain(SECRET);
    const shown = JSON.parse((await run(['network', 'show', '--json'])).stdout);
    expect(shown.network.setting.credentials).toBe(true);
  });

  it('takes exactly one mode', async () => {
    const both = await run(['network', 'set', '--direct', '--pac', 'http://wpad/proxy.pac']);
    expect(both.code).toBe(2);
    const none = await run(['network', 'set']);
    expect(none.code).toBe(2);
  });

  it('goes back to auto and forgets the stored credentials', async () => {
    expect((await run(['network', 'set', '--auto'])).code).toBe(0);
    const again = await run([
      'network',
      'set',
      '--proxy',
      'http://proxy.corp.example:3128',
      '--keep-credentials',
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).network.setting.credentials).toBe(false);
  });
});
