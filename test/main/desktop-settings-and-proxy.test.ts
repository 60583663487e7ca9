import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSettings } from '../../core/settings/settings-file.js';
import { desktopSettingsStore } from '../../main/settings-store.js';
import { builtMain, callOperation, loadMain, until } from './electron-stand-in/load-main.js';

// The desktop's settings store is electron-store and its proxy comes from Electron's resolver:
// both run here in the built shell, with the real electron-store package over a stand-in for
// `electron` (the Electron binary cannot run in CI).

const call = callOperation;

describe('the desktop settings store and system proxy', () => {
  const homes: string[] = [];
  beforeAll(() => {
    expect(existsSync(builtMain), 'run `npm run build` first').toBe(true);
  });
  afterAll(() => {
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  it('saves through electron-store into the same settings.json the CLI reads, and probes through the system proxy decision', async () => {
    const home = mkdtempSync(join(tmpdir(), 'desktop-settings-'));
    homes.push(home);
    const shell = loadMain({ userData: home });
    shell.fireReady();
    await until('the tray', () => shell.trays.length > 0);

    await call(shell, 'updateSettings', { cacheExpiryMinutes: 7 });
    expect(existsSync(join(home, 'config.json'))).toBe(false);
    const file = JSON.parse(readFileSync(join(home, 'settings.json'), 'utf8')) as {
      cache?: { idleExpiryMs?: number };
    };
    expect(file.cache?.idleExpiryMs).toBe(7 * 60_000);
    expect(openSettings(home).cacheSettings?.()).toMatchObject({ idleExpiryMs: 7 * 60_000 });

    const url = 'https://127.0.0.1:1/bitbucket';
    await call(shell, 'probe', { url, allowLoopback: true });
    expect(shell.calls).toContainEqual({ what: 'session.resolveProxy', args: [url] });

    shell.app.quit();
    await until('the quit', () => shell.exited, 20_000);
  });

  it('names the electron-store file as conf does (electron-store would call it config.json)', () => {
    const seen: unknown[] = [];
    class RecordingStore {
      constructor(options: unknown) {
        seen.push(options);
      }
    }
    const create = desktopSettingsStore(
      RecordingStore as unknown as Parameters<typeof desktopSettingsStore>[0],
    );
    create({ configName: 'settings' } as Parameters<typeof create>[0]);
    expect(seen).toEqual([{ configName: 'settings', name: 'settings' }]);
  });
});
