import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../helpers/cli-harness.js';

// The Electron binary cannot run here, so `electron` is replaced by a recorder of what main asks
// of it (docs/testing.md: the desktop shell without the Electron binary).
const constructed: unknown[] = [];
vi.mock('electron', () => ({
  BrowserWindow: class {
    constructor(options: unknown) {
      constructed.push(options);
    }
    once() {}
    loadURL(url: string) {
      constructed.push({ loaded: url });
      return Promise.resolve();
    }
  },
}));

describe('main window', () => {
  it('is sandboxed, isolated, has no Node or webviews, and loads app://', async () => {
    const { createMainWindow } = await import('../../main/main-window.js');
    createMainWindow('/x/preload.cjs', () => undefined);
    const [options, loaded] = constructed as [
      { webPreferences: Record<string, unknown>; minWidth: number; minHeight: number },
      { loaded: string },
    ];
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      preload: '/x/preload.cjs',
    });
    expect(options.minWidth).toBe(1024);
    expect(options.minHeight).toBe(700);
    expect(loaded.loaded).toBe('app://bundle/index.html');
  });

  it('main denies window.open, navigation, webviews and permissions, and locks to one instance', () => {
    const source = readFileSync(`${repoRoot}main/main.ts`, 'utf8');
    expect(source).not.toMatch(/loadFile\(|file:\/\//);
    expect(source).toContain('setWindowOpenHandler(({ url }) => {');
    expect(source).toContain(
      'if (isInstallationPageUrl(url, bases)) void shell.openExternal(url);',
    );
    expect(source).toContain("return { action: 'deny' };");
    expect(source).toContain(
      'setPermissionRequestHandler((_contents, _permission, callback) => callback(false))',
    );
    expect(source).toContain('setPermissionCheckHandler(() => false)');
    expect(source).toContain('will-attach-webview');
    expect(source).toContain('isAllowedNavigation(url)');
    expect(source).toContain('app.enableSandbox()');
    expect(source).toContain('requestSingleInstanceLock');
    expect(source).toContain('setAsDefaultProtocolClient(OAUTH_SCHEME');
    expect(source).not.toContain('bypassCSP');
    // openExternal only ever receives a URL that passed one of the gates just before it.
    expect(source.match(/openExternal\(/g)?.length).toBe(2);
  });
});
