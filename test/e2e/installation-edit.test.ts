import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { speaksCli } from '../../common/errors/hint-surface.js';
import { startSimulator } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';
import { runCliProcess } from '../helpers/cli-harness.js';
import { launchChromium, type LaunchedChromium } from '../helpers/chromium.js';
import { pushCommit, tempDir } from '../cli/webhooks-fixture.js';
import {
  freePort,
  SCREENSHOT_DIR,
  screenshotBothThemes,
  startServeProcess,
  type ServeProcess,
} from './serve-process.js';

// An installation set up on the command line, then changed in the window (real `serve`, real
// Chromium, the simulator and its platform stand-in, gnome-keyring): the relay step's warnings and
// manual webhook steps in the window's words, the platform link and relay edited in place, the
// platform's webhook secret put on BDC's webhook, a CA from a picked or dropped file (bounded),
// the diagnostics bundle saved and copied, and the readable projects named.
const keyring = process.env['BDC_KEYRING_READY'] === '1';

describe.runIf(keyring)('changing an existing installation in the window', () => {
  let sim: RunningSimulator;
  let home: { path: string; cleanup(): void };
  let work: { path: string; cleanup(): void };
  let serve: ServeProcess;
  let chromium: LaunchedChromium;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const env = () => ({
    DBUS_SESSION_BUS_ADDRESS: process.env['DBUS_SESSION_BUS_ADDRESS'],
    BDC_COMPANION_HOME: home.path,
  });
  const cli = (args: string[], stdin?: string) =>
    runCliProcess([...args, '--json'], { env: env(), ...(stdin === undefined ? {} : { stdin }) });
  const nav = () => page.getByRole('navigation', { name: 'Main' });
  const card = () => page.getByRole('listitem', { name: 'corp' });

  beforeAll(async () => {
    sim = await startSimulator();
    home = tempDir('e2e-edit-home-');
    work = tempDir('e2e-edit-git-');
    const platform = sim.platform!;
    const added = await cli(
      [
        'installation',
        'add',
        'corp',
        '--url',
        sim.url,
        '--ca-file',
        sim.caFile,
        '--allow-loopback',
        '--platform-url',
        platform.url,
        '--platform-installation-id',
        platform.installationId,
        '--platform-ca-file',
        platform.caFile,
        '--webhook-secret-stdin',
      ],
      platform.webhookSecret,
    );
    expect(added.code, added.stdout + added.stderr).toBe(0);
    expect((await cli(['auth', 'pat', 'corp', '--token-stdin'], sim.pat)).code).toBe(0);
    const registered = await cli([
      'webhooks',
      'register',
      'corp',
      '--repo',
      `${sim.project}/${sim.repo}`,
      '--url',
      `${platform.url}/webhooks/bitbucket-dc/${platform.installationId}`,
    ]);
    expect(registered.code, registered.stdout).toBe(0);
    serve = await startServeProcess(['serve', '--home', home.path], {
      BDC_COMPANION_CACHE_DIR: join(home.path, 'cache'),
    });
    chromium = await launchChromium();
    context = await chromium.browser.newContext({ viewport: { width: 1024, height: 700 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: serve.origin,
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(serve.url);
    await page.getByRole('heading', { name: 'Installations' }).waitFor();
  }, 120_000);

  afterEach(async (test) => {
    if (test.task.result?.state === 'fail' && page) {
      await page.screenshot({
        path: `${SCREENSHOT_DIR}/failed-edit-${test.task.name.slice(0, 40)}.png`,
        fullPage: true,
      });
    }
  });

  afterAll(async () => {
    await context?.close();
    await chromium?.close();
    await serve?.stop();
    await sim?.close();
    home?.cleanup();
    work?.cleanup();
  });

  it('relay step: URL warnings and the manual webhook steps speak the window, not the CLI', async () => {
    const gaps = card().getByRole('note', { name: 'Setup incomplete' });
    await gaps.getByRole('button', { name: 'Continue setup' }).click();
    await page.getByRole('heading', { name: "Relay BDC's webhooks to the platform" }).waitFor();
    await page.getByLabel('Listen address').fill(`127.0.0.1:${await freePort()}`);
    await page.getByLabel('Relay URL as BDC sees it').fill('http://127.0.0.1:9');
    await page.getByRole('button', { name: 'Save and start the relay' }).click();
    const warnings = page.getByRole('note', { name: 'Relay URL warnings' });
    await warnings.waitFor();
    const warningText = (await warnings.textContent()) ?? '';
    // The plain-http warning used to name `installation update … --relay-tls-cert` here.
    expect(warningText).toContain('HTTPS between BDC and the relay');
    expect(speaksCli(warningText), warningText).toBe(false);

    await page.getByLabel('Project').selectOption(sim.project);
    await page.getByLabel(`${sim.project}/${sim.repo}`, { exact: false }).check();
    await page.getByText('No webhook admin rights? Set the webhook up in BDC by hand').click();
    const steps = (await page.locator('.manual-webhook-setup pre').first().textContent()) ?? '';
    expect(steps).toContain(`/projects/${sim.project}/repos/${sim.repo}/settings`);
    expect(steps).toContain('URL: http://127.0.0.1:9/webhooks/bitbucket-dc/');
    expect(steps).toContain('repo:refs_changed');
    expect(steps).toContain('Secret: the webhook secret the Ankra platform issued');
    expect(speaksCli(steps), steps).toBe(false);
    await screenshotBothThemes(page, '20-relay-step-manual-webhook-steps');
  });

  it('edits the platform link and relay in place, and says what is wrong when it cannot', async () => {
    await nav().getByRole('button', { name: 'Installations' }).click();
    // Signed in, relay set up, no bridge: the bridge is optional (docs/bridge.md), so once its
    // state is known nothing is flagged.
    await card().getByText('not set up (optional)').waitFor();
    await expect(card().getByRole('note', { name: 'Setup incomplete' }).count()).resolves.toBe(0);
    await screenshotBothThemes(page, '20b-installations-no-bridge-finished');
    await card().getByText('Edit the platform link and relay…').click();
    const form = card().getByRole('form', { name: 'Platform link and relay of corp' });
    await form.getByLabel('Relay URL as BDC sees it').fill('https://relay.corp.example:8787');
    await form.getByLabel('Relay listen address').fill('127.0.0.1:18787');
    await form.getByRole('button', { name: 'Save the link and relay' }).click();
    await card().getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const shown = JSON.parse((await cli(['installation', 'show', 'corp'])).stdout);
    expect(shown.installation.relay).toMatchObject({
      publicUrl: 'https://relay.corp.example:8787',
      listen: '127.0.0.1:18787',
    });
    expect(shown.installation.platform.installationId).toBe(sim.platform!.installationId);
    await screenshotBothThemes(page, '21-installation-edit-link');

    await form.getByLabel('Platform installation id').fill('');
    await form.getByRole('button', { name: 'Save the link and relay' }).click();
    const refused = card().getByRole('alert').filter({ hasText: 'Not saved' });
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toContain('platform installation id together');
    await screenshotBothThemes(page, '22-installation-edit-link-refused');
    await form.getByLabel('Platform installation id').fill(sim.platform!.installationId);
  });

  it('puts the platform’s new webhook secret on the BDC webhook it registered', async () => {
    const platform = sim.platform!;
    const issued = `platform-issued-${Date.now()}-from-the-window`;
    platform.addInstallation(platform.installationId, issued);
    await card().getByLabel('Webhook secret').fill(issued);
    await card().getByRole('button', { name: 'Store secret' }).click();
    await card().getByText('1 BDC webhook switched to it.').waitFor({ timeout: 20_000 });
    await expect(card().getByLabel('Webhook secret').inputValue()).resolves.toBe('');
    platform.clearDeliveries();
    await pushCommit(sim, work.path, sim.project, sim.repo, 'after-gui-secret');
    const delivered = await platform.waitForDeliveries(1, 15_000);
    expect(delivered.every((delivery) => delivery.signatureValid)).toBe(true);
    expect((await page.content()).includes(issued)).toBe(false);

    // Signed in without webhook rights, the secret is stored but BDC keeps the old one on its
    // webhook: red, the webhook named, and the steps in the window's words.
    const writer = sim.addToken({
      user: sim.user.name,
      projectPermission: 'PROJECT_READ',
      repoPermission: 'REPO_WRITE',
    });
    expect((await cli(['auth', 'pat', 'corp', '--token-stdin'], writer)).code).toBe(0);
    await card().getByLabel('Webhook secret').fill(`${issued}-again`);
    await card().getByRole('button', { name: 'Store secret' }).click();
    const refused = card().getByRole('alert').filter({ hasText: 'WEBHOOK_SECRET_NOT_APPLIED' });
    await refused.waitFor({ timeout: 20_000 });
    const text = (await refused.textContent()) ?? '';
    expect(text).toContain(`${sim.project}/${sim.repo}`);
    expect(text).toContain(`/projects/${sim.project}/repos/${sim.repo}/settings`);
    expect(text).toContain('Installations → Sign in…');
    expect(speaksCli(text), text).toBe(false);
    await screenshotBothThemes(page, '22b-webhook-secret-not-applied');
  }, 60_000);

  it('takes the CA from a picked or dropped file, refusing one over 64 KiB', async () => {
    await card().getByText('Replace the private CAs…').click();
    const textarea = card().getByLabel('New CA certificates (PEM)');
    const big = join(work.path, 'big.pem');
    writeFileSync(big, `${sim.caPem}\n${'#'.repeat(70 * 1024)}`);
    await card().getByLabel('Choose the new CA file').setInputFiles(big);
    const refused = card().getByRole('alert').filter({ hasText: 'File not used' });
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toContain('larger than 64 KiB');
    // The window's fix: choose a file (it said "Name a regular file", the command line's words).
    await expect(refused.textContent()).resolves.toContain('Fix: Choose (or drop) the file itself');
    await expect(textarea.inputValue()).resolves.toBe('');
    await screenshotBothThemes(page, '23-installation-ca-file-too-large');

    await card().getByLabel('Choose the new CA file').setInputFiles(sim.caFile);
    await expect.poll(() => textarea.inputValue()).toBe(readFileSync(sim.caFile, 'utf8'));
    await textarea.fill('');
    // Dropped on the field: the page reads the file it was given, as with the picker.
    await card()
      .locator('.drop-zone')
      .first()
      .evaluate((zone, pem) => {
        const data = new DataTransfer();
        data.items.add(new File([pem], 'root-ca.pem', { type: 'application/x-pem-file' }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true }));
      }, sim.caPem);
    await expect.poll(() => textarea.inputValue()).toBe(sim.caPem);
    await card().getByRole('button', { name: 'Probe and save' }).click();
    await card().getByText('answered with the new trust').waitFor({ timeout: 20_000 });
    await screenshotBothThemes(page, '24-installation-ca-from-file');
  }, 60_000);

  it('names the projects the token can read', async () => {
    await card().getByRole('button', { name: 'Sign in…' }).click();
    await page.getByLabel('Personal Access Token', { exact: true }).fill(sim.pat);
    await page.getByRole('button', { name: 'Verify and save' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Signed in as' });
    await status.waitFor();
    await expect(status.textContent()).resolves.toMatch(
      new RegExp(`can read \\d+ projects?: [^.]*\\b${sim.project}\\b`),
    );
    await screenshotBothThemes(page, '25-sign-in-names-projects');
  });

  it('saves and copies the redacted diagnostics bundle', async () => {
    await nav().getByRole('button', { name: 'Diagnostics' }).click();
    await page.getByRole('button', { name: 'Run diagnostics' }).click();
    await page.getByRole('button', { name: 'Save the bundle…' }).waitFor({ timeout: 25_000 });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save the bundle…' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^bdc-companion-diagnostics-\d{8}T\d{6}Z\.json$/);
    const saved = readFileSync((await download.path()) ?? '', 'utf8');
    const bundle = JSON.parse(saved) as { generatedAt?: string };
    expect(bundle.generatedAt).toEqual(expect.any(String));
    expect(saved).not.toContain(sim.pat);
    expect(saved).not.toContain(sim.platform!.webhookSecret);
    await page.getByRole('button', { name: 'Copy the bundle' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(saved);
    await screenshotBothThemes(page, '26-diagnostics-save-copy');
  }, 60_000);

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
