import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_SETTINGS } from '../../common/models/installation.js';
import { openSettings } from '../../core/settings/settings-file.js';
import { launchChromium, type LaunchedChromium } from '../helpers/chromium.js';
import { startConnectProxy, type RunningConnectProxy } from '../helpers/connect-proxy.js';
import { startTestSimulator, type RunningSimulator } from '../helpers/sim.js';
import {
  SCREENSHOT_DIR,
  screenshotBothThemes,
  startServeProcess,
  type ServeProcess,
} from './serve-process.js';

// Issue 16 item 10 in real Chromium over the real `serve` process: the Network section sets the
// proxy (credentials to the secret store), a PAC file served on 127.0.0.1, and shows the route of
// each connection; the platform CA is there, not under "Development settings".

const USER = 'e2e-proxy-user';
const PASSWORD = 'e2e-pr0xy-secret-4410';

describe('the Network section', () => {
  let sim: RunningSimulator;
  let proxy: RunningConnectProxy;
  let pac: Server;
  let pacUrl: string;
  let dir: string;
  let home: string;
  let serve: ServeProcess;
  let chromium: LaunchedChromium;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    sim = await startTestSimulator();
    proxy = await startConnectProxy({ credentials: { username: USER, password: PASSWORD } });
    const simPort = new URL(sim.url).port;
    pac = createServer((request, response) => {
      if (request.url !== '/proxy.pac') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200).end(`function FindProxyForURL(url, host) {
        if (url.indexOf(":${simPort}/") !== -1) return "PROXY 127.0.0.1:${proxy.port}; DIRECT";
        return "DIRECT";
      }`);
    });
    await new Promise<void>((resolve) => pac.listen(0, '127.0.0.1', resolve));
    pacUrl = `http://127.0.0.1:${(pac.address() as AddressInfo).port}/proxy.pac`;
    dir = mkdtempSync(join(tmpdir(), 'e2e-network-'));
    home = join(dir, 'home');
    openSettings(home).saveInstallation({
      id: '6a1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
      name: 'lab',
      baseUrl: sim.url,
      caPems: [sim.caPem],
      allowLoopback: true,
      allowPartialChain: false,
      platform: {
        baseUrl: sim.platform!.url,
        installationId: sim.platform!.installationId,
        caPems: [sim.platform!.caPem],
      },
      auth: { kind: 'none' },
      relay: DEFAULT_RELAY_SETTINGS,
      createdAt: new Date().toISOString(),
    });
    const passphrase = join(dir, 'passphrase');
    writeFileSync(passphrase, 'e2e-passphrase-0123456789\n', { mode: 0o600 });
    serve = await startServeProcess(['serve', '--home', home], {
      BDC_COMPANION_CACHE_DIR: join(home, 'cache'),
      BDC_COMPANION_SECRET_STORE: 'encrypted-file',
      BDC_COMPANION_SECRETS_PASSPHRASE_FILE: passphrase,
      HTTPS_PROXY: undefined,
      https_proxy: undefined,
      HTTP_PROXY: undefined,
      http_proxy: undefined,
      NO_PROXY: undefined,
      no_proxy: undefined,
    });
    chromium = await launchChromium();
    context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(serve.url);
  }, 90_000);

  afterEach(async (test) => {
    if (test.task.result?.state === 'fail' && page) {
      await page.screenshot({
        path: `${SCREENSHOT_DIR}/failed-network-${test.task.name.slice(0, 40)}.png`,
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    await context?.close();
    await chromium?.close();
    expect(await serve?.stop()).toBe(0);
    await proxy?.close();
    await new Promise<void>((resolve) => pac?.close(() => resolve()));
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const routeCell = (connection: string) =>
    page
      .getByRole('row', { name: new RegExp(connection) })
      .getByRole('cell')
      .nth(2);

  it('shows each connection going direct when nothing is set', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: 'Network' })
      .click();
    await page.getByRole('heading', { name: 'Network', level: 2 }).waitFor();
    await expect(routeCell('Bitbucket Data Center').textContent()).resolves.toBe('direct');
    await expect(routeCell('Platform').textContent()).resolves.toBe('direct');
    await expect(routeCell('Relay target').textContent()).resolves.toBe('direct');
    await screenshotBothThemes(page, 'network-auto');
  });

  it('saves a proxy with credentials: the routes name it, the password goes nowhere visible', async () => {
    await page.getByRole('radio', { name: 'Proxy server' }).check();
    await page.getByLabel('Proxy URL').fill(proxy.url);
    await page.getByLabel('Proxy user name (optional)').fill(USER);
    await page.getByLabel('Proxy password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved; every new connection takes the routes below.').waitFor();
    const expected = `via proxy ${proxy.url} (Network setting)`;
    await expect(routeCell('Bitbucket Data Center').textContent()).resolves.toBe(expected);
    await expect(routeCell('Relay target').textContent()).resolves.toBe(expected);
    // The form never shows the password back, and no file of the config home holds it.
    await expect(page.getByLabel('Proxy password').inputValue()).resolves.toBe('');
    expect(await page.content()).not.toContain(PASSWORD);
    await expect(
      page.getByLabel('Keep the stored user name and password').isChecked(),
    ).resolves.toBe(true);
    const settings = readFileSync(join(home, 'settings.json'), 'utf8');
    expect(settings).not.toContain(PASSWORD);
    expect(settings).toContain(proxy.url);
    for (const file of readdirSync(join(home, 'logs'))) {
      expect(readFileSync(join(home, 'logs', file), 'utf8')).not.toContain(PASSWORD);
    }
    await screenshotBothThemes(page, 'network-proxy');
  });

  it('sets a PAC file and shows what it said for each connection', async () => {
    await page.getByRole('radio', { name: 'PAC file' }).check();
    await page.getByLabel('PAC file URL').fill(pacUrl);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved; every new connection takes the routes below.').waitFor();
    await expect(routeCell('Bitbucket Data Center').textContent()).resolves.toBe(
      `PAC said "PROXY 127.0.0.1:${proxy.port}; DIRECT": via proxy http://127.0.0.1:${proxy.port}`,
    );
    await expect(routeCell('Platform').textContent()).resolves.toBe('PAC said "DIRECT": direct');
    await screenshotBothThemes(page, 'network-pac');
  });

  it('shows a PAC file that cannot be loaded in red with the fix, not as a route', async () => {
    await page.getByLabel('PAC file URL').fill(`${pacUrl}.missing`);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved, but connections cannot be made with it yet').waitFor();
    const alert = routeCell('Bitbucket Data Center').getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('PROXY_PAC_FAILED');
    await expect(alert.textContent()).resolves.toContain('HTTP 404');
    await screenshotBothThemes(page, 'network-pac-failed');
  });

  it('keeps the platform CA here, and a pasted one that is not a CA is refused', async () => {
    await page.getByText(/^Platform CA \(/).click();
    await page.getByLabel('Platform CA for lab (PEM)').fill('not a certificate');
    await page.getByRole('button', { name: 'Save platform CA' }).click();
    await page.getByText('Platform CA not saved').waitFor();
    // No terminal command in the window (it said "convert DER with `openssl x509 …`").
    const refused = page.getByRole('alert').filter({ hasText: 'Platform CA not saved' });
    await expect(refused.textContent()).resolves.toContain('ask the Bitbucket administrator');
    await expect(refused.textContent()).resolves.not.toContain('openssl');
    await screenshotBothThemes(page, 'network-platform-ca-refused');
    expect(pageErrors).toEqual([]);
  });
});
