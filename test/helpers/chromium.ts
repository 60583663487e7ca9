import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: browsers are never downloaded (README, "Tests"). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export interface LaunchedChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Launches headless Debian Chromium (Playwright gives it a fresh temporary profile). As root it
 * needs `--no-sandbox`; the background-networking flags keep it from calling Google's hosts, which
 * this network refuses. `extraArgs` adds test-specific switches (e.g. an SPKI pin).
 */
export async function launchChromiumBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: run scripts/install-system-deps.sh`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

export async function launchChromium(): Promise<LaunchedChromium> {
  const browser = await launchChromiumBrowser();
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
