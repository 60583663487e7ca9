import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCliInProcess } from '../helpers/cli-harness.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

function call(
  url: URL,
  options: { method?: string; token?: string; body?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...(options.token ? { 'x-companion-token': options.token } : {}),
          ...(options.body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('demo', () => {
  let home: string;
  let demo: ServeProcess;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'e2e-demo-'));
    // As on a fresh server: no D-Bus session, so no keychain. The demo must still start.
    demo = await startServeProcess(['demo', '--home', home], {
      BDC_COMPANION_CACHE_DIR: join(home, 'cache'),
      DBUS_SESSION_BUS_ADDRESS: undefined,
      DISPLAY: undefined,
    });
  }, 90_000);

  afterAll(async () => {
    expect(await demo?.stop()).toBe(0);
    rmSync(home, { recursive: true, force: true });
  });

  it('serves the UI with an installation signed in against the simulator', async () => {
    const url = new URL(demo.url);
    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
    expect(token).not.toBe('');
    const entry = await call(url);
    expect(entry.status).toBe(200);
    expect(entry.headers['set-cookie']).toBeUndefined();
    const api = (operation: string, args: unknown[]) =>
      call(new URL(`/api/${operation}`, url), {
        method: 'POST',
        token,
        body: JSON.stringify(args),
      });
    const installations = JSON.parse((await api('listInstallations', [])).body) as {
      value: { name: string; allowLoopback: boolean; auth: { kind: string } }[];
    };
    expect(installations.value).toEqual([
      expect.objectContaining({
        name: 'demo',
        allowLoopback: true,
        auth: expect.objectContaining({ kind: 'pat' }),
      }),
    ]);
    const status = JSON.parse((await api('getRelayEndpoint', [{ installation: 'demo' }])).body) as {
      value: { secretConfigured: boolean };
    };
    expect(status.value.secretConfigured).toBe(true);
    const auth = JSON.parse((await api('getAuthStatus', [{ installation: 'demo' }])).body) as {
      value: Record<string, unknown>;
    };
    // The in-memory store is disclosed, never passed off as the keychain.
    expect(JSON.stringify(auth.value)).toContain('memory');
  });

  it("keeps its state apart from the admin's own config home", () => {
    expect(existsSync(join(home, 'demo', 'settings.json'))).toBe(true);
    expect(existsSync(join(home, 'settings.json'))).toBe(false);
  });

  it('loads the simulator only at run time: the CLI bundle does not contain it', () => {
    // main.js and the chunks each command loads.
    const folder = join(repoRoot, 'dist/cli');
    const bundle = readdirSync(folder)
      .filter((name) => name.endsWith('.js'))
      .map((name) => readFileSync(join(folder, name), 'utf8'))
      .join('\n');
    expect(bundle).not.toMatch(/function startSimulator/);
    // The same pattern does find the simulator in its own bundle: the check can fail.
    expect(readFileSync(join(repoRoot, 'dist/sim/index.js'), 'utf8')).toMatch(
      /function startSimulator/,
    );
  });
});

describe('serve command line', () => {
  it('refuses a malformed port as a usage error', async () => {
    const run = await runCliInProcess(['serve', '--port', 'eighty', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE_INVALID' } });
  });

  it('documents serve and demo in help', async () => {
    const help = await runCliInProcess(['--help']);
    expect(help.stdout).toMatch(/serve\s/);
    expect(help.stdout).toMatch(/demo\s/);
    const serveHelp = await runCliInProcess(['serve', '--help']);
    expect(serveHelp.stdout).toContain('--host');
    expect(serveHelp.stdout).toContain('--oauth-port');
  });
});
