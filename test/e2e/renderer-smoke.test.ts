import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../helpers/chromium.js';
import { repoRoot } from '../helpers/cli-harness.js';
import { serveFolder } from '../helpers/static-server.js';

describe('built renderer in Chromium', () => {
  let chromium: LaunchedChromium;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    ({ server, url } = await serveFolder(`${repoRoot}dist/renderer`));
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    server?.close();
  });

  it('renders the app with no Node or Electron globals in the page', async () => {
    const page = await chromium.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await expect(page.locator('h1').textContent()).resolves.toBe('Ankra BDC Companion');
    const globals = await page.evaluate(() => ({
      require: typeof (window as unknown as Record<string, unknown>)['require'],
      process: typeof (window as unknown as Record<string, unknown>)['process'],
      ipcRenderer: typeof (window as unknown as Record<string, unknown>)['ipcRenderer'],
    }));
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      ipcRenderer: 'undefined',
    });
    expect(errors).toEqual([]);
  });
});
