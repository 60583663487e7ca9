import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { binPath, repoRoot } from '../helpers/cli-harness.js';

export interface ServeProcess {
  readonly url: string;
  readonly origin: string;
  readonly child: ChildProcess;
  stderr(): string;
  stop(): Promise<number | null>;
}

/**
 * Runs the built CLI's `serve` (or `demo`) as a real process, as an admin would, and waits for its
 * JSON ready line. Stopped with SIGTERM by PID, like a service manager.
 */
export function startServeProcess(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args, '--json'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`serve did not become ready: ${stderr}`));
    }, 30_000);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stdout}${stderr}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((each) => each.includes('"ready":true'));
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const ready = JSON.parse(line) as { url: string };
      resolve({
        url: ready.url,
        origin: new URL(ready.url).origin,
        child,
        stderr: () => stderr,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) {
              done(child.exitCode);
              return;
            }
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

export const SCREENSHOT_DIR = join(repoRoot, 'test-results', 'screenshots');

/** The window sizes every screen is checked at: a laptop, and a small window. */
export const SCREENSHOT_VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
] as const;

/**
 * Saves the page in the light and the dark theme (the OS preference the UI follows), at each of
 * SCREENSHOT_VIEWPORTS, then puts the page back as it was.
 */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  for (const viewport of SCREENSHOT_VIEWPORTS) {
    await page.setViewportSize(viewport);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({
        path: join(SCREENSHOT_DIR, `${name}-${viewport.width}x${viewport.height}-${scheme}.png`),
        fullPage: true,
      });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (before) await page.setViewportSize(before);
}

/** A port free on 127.0.0.1 right now (for the relay and the OAuth loopback listener). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
