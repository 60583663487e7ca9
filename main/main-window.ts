import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './security/app-protocol.js';

/**
 * The one place `webPreferences` are set (Electron security checklist §1). Each flag is explicit
 * even where it is the default, so a future default change or a copy-paste cannot weaken it. The
 * options are written inline so the static scan (electronegativity) sees them.
 */
export function createMainWindow(
  preloadPath: string,
  onLoadFailed: (error: unknown) => void,
): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'Ankra BDC Companion',
    webPreferences: {
      preload: preloadPath,
      // The renderer is a web page: no Node, its own JS world, and the OS sandbox.
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      // Middle-click would open links in new windows outside the navigation guard.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
      safeDialogs: true,
    },
  });
  window.once('ready-to-show', () => window.show());
  // loadURL rejects when the load fails or is aborted (the window closed while loading): an
  // unhandled rejection in main would be reported as a crash.
  window.loadURL(APP_ENTRY_URL).catch(onLoadFailed);
  return window;
}
