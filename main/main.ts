import { join } from 'node:path';
import {
  app,
  type BrowserWindow,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  Tray,
  nativeImage,
  type WebContents,
} from 'electron';
import ElectronStore from 'electron-store';
import type { BridgeOverview, RelayStatus } from '../common/api/models.js';
import { CompanionError } from '../common/errors/companion-error.js';
import { contentTypeFor } from '../core/serve/bundle-path.js';
import { createLogger } from '../core/logging/file-logger.js';
import { openSecretStore } from '../core/secrets/open-secret-store.js';
import type { Logger } from '../core/logging/logger.js';
import type { CompanionService } from '../core/service/companion-service.js';
import { openCompanionService } from '../core/service/open-service.js';
import { registerIpc } from './ipc/register-ipc.js';
import { APP_SCHEME, appRequestPath, appResponseHeaders } from './security/app-protocol.js';
import { findDeepLink, OAUTH_SCHEME, parseOAuthCallback } from './security/deep-link.js';
import { isInstallationPageUrl, isOpenableAuthorizeUrl } from './security/external-url.js';
import { isAllowedNavigation } from './security/navigation.js';
import { bridgeTrayLabel, relayTrayLabel } from './tray-status.js';
import { createMainWindow } from './main-window.js';
import { readBoundedFile } from '../core/io/bounded-file.js';
import { desktopSettingsStore } from './settings-store.js';

// The desktop shell's composition root. It stays thin: every decision worth testing is a pure
// function in main/security or main/ipc, because the Electron binary cannot run in CI.

const bundleDir = join(__dirname, '../renderer');
const preloadPath = join(__dirname, '../preload/preload.cjs');

// Must happen before `ready`, once. `standard` + `secure` give the bundle a real origin with
// fetch and storage; CSP is never bypassed for it (electronegativity flags that as high).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

let service: CompanionService | undefined;
let window: BrowserWindow | undefined;
let tray: Tray | undefined;
let logger: Logger | undefined;
let closing = false;
const pendingLinks: string[] = [];

/**
 * Brings the UI to the front, opening a new window when the user had closed it (the relay keeps
 * running in the tray without one): a closed window is destroyed, and any call on it would throw.
 */
function showWindow(): void {
  if (!app.isReady()) return;
  if (!window || window.isDestroyed()) {
    window = createMainWindow(preloadPath, (error) =>
      logger?.warn('the window could not load the UI', { error: String(error) }),
    );
    watchRenderer(window);
    return;
  }
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/** A crashed or killed renderer is reloaded rather than leaving a blank window. */
function watchRenderer(target: BrowserWindow): void {
  target.webContents.on('render-process-gone', (_event, details) => {
    logger?.warn('renderer process gone', { reason: details.reason });
    if (details.reason !== 'clean-exit' && !target.isDestroyed()) target.webContents.reload();
  });
}

async function deliverDeepLink(link: string): Promise<void> {
  const callback = parseOAuthCallback(link);
  if (!callback) return;
  if (!service) {
    pendingLinks.push(link);
    return;
  }
  const taken = (await service.deliverOAuthCallback?.(callback.url)) ?? false;
  // Logged without the URL: its query carries the authorization code.
  if (!taken) logger?.warn('a sign-in link arrived, but no sign-in was waiting for it');
  showWindow();
}

// Windows and Linux: a second launch carries the callback URL in its argv.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    const link = findDeepLink(argv);
    if (link) void deliverDeepLink(link);
    else showWindow();
  });
  // macOS: registered before `ready`, or the URL that launched the app is missed.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    void deliverDeepLink(url);
  });
  const coldStartLink = findDeepLink(process.argv);
  if (coldStartLink) pendingLinks.push(coldStartLink);
}

if (process.defaultApp && process.argv[1]) {
  app.setAsDefaultProtocolClient(OAUTH_SCHEME, process.execPath, [process.argv[1]]);
} else {
  app.setAsDefaultProtocolClient(OAUTH_SCHEME);
}

app.on('web-contents-created', (_event, contents: WebContents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAllowedNavigation(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // New windows are always denied; a link to a page of a configured instance (a commit in push
  // history) goes to the system browser instead, anything else nowhere.
  contents.setWindowOpenHandler(({ url }) => {
    const bases = service?.ports.settings.listInstallations().map((each) => each.baseUrl) ?? [];
    if (isInstallationPageUrl(url, bases)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

async function serveBundle(request: Request): Promise<Response> {
  const relative = appRequestPath(request.url);
  if (relative === undefined) return new Response('not found', { status: 404 });
  try {
    const body = await readBoundedFile(join(bundleDir, relative), 'uiAsset');
    return new Response(body, {
      status: 200,
      headers: appResponseHeaders(contentTypeFor(relative)),
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

async function openBrowser(url: string): Promise<void> {
  const bases = service?.ports.settings.listInstallations().map((each) => each.baseUrl) ?? [];
  if (!isOpenableAuthorizeUrl(url, bases)) {
    throw new CompanionError(
      'APP_EXTERNAL_URL_REFUSED',
      'refused to open a URL main did not build',
    );
  }
  await shell.openExternal(url);
}

async function refreshTray(): Promise<void> {
  if (!tray || !service) return;
  const statuses: RelayStatus[] = [];
  for (const installation of service.ports.settings.listInstallations()) {
    try {
      statuses.push(await service.getRelayStatus({ installation: installation.id }));
    } catch {
      // An installation without relay data shows as off.
    }
  }
  const bridges: BridgeOverview[] = [];
  for (const installation of service.ports.settings.listInstallations()) {
    try {
      bridges.push(await service.getBridgeStatus({ installation: installation.id }));
    } catch {
      // An installation without bridge data is left out of the bridge line.
    }
  }
  const label = relayTrayLabel(statuses);
  const bridgeLabel = bridgeTrayLabel(bridges);
  tray.setToolTip(`Ankra BDC Companion — ${label} · ${bridgeLabel}`);
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label, enabled: false },
      { label: bridgeLabel, enabled: false },
      { type: 'separator' },
      { label: 'Open', click: () => showWindow() },
      { label: 'Quit', click: () => app.quit() },
    ]),
  );
}

void app.whenReady().then(async () => {
  const home = app.getPath('userData');
  const deny = session.defaultSession;
  deny.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  deny.setPermissionCheckHandler(() => false);
  protocol.handle(APP_SCHEME, serveBundle);

  logger = createLogger({ home, level: 'info', component: 'main' });
  const secretStore = await openSecretStore({ home, env: process.env, backend: 'keytar' });
  service = await openCompanionService({
    home,
    transport: 'electron',
    logger,
    secretStore,
    env: process.env,
    oauthRedirect: 'custom',
    openBrowser,
    // The system's proxy (OS settings, PAC/WPAD included), as Chromium itself would choose it;
    // the Network setting and the proxy variables come first (docs/network.md, "Precedence").
    systemProxy: (url) => session.defaultSession.resolveProxy(url),
    createSettingsStore: desktopSettingsStore(ElectronStore),
  });
  // Handlers first: the window's first script may call the API before this function returns.
  registerIpc(ipcMain, service, () => window?.webContents);
  showWindow();

  tray = new Tray(nativeImage.createEmpty());
  void refreshTray();
  service.onEvent((event) => {
    if (event.kind === 'relay-status' || event.kind === 'bridge-status') void refreshTray();
  });

  for (const link of pendingLinks.splice(0)) await deliverDeepLink(link);
});

app.on('window-all-closed', () => {
  // The relay keeps running in the tray until the user quits.
  if (process.platform !== 'darwin' && !tray) app.quit();
});

// Quitting waits for the service to close (the relay stops taking deliveries and records a clean
// stop, the database closes); Electron would otherwise end the process half-way through.
app.on('before-quit', (event) => {
  if (!service || closing) return;
  event.preventDefault();
  closing = true;
  const closed = service;
  service = undefined;
  void closed
    .close()
    .catch((error: unknown) =>
      logger?.error('closing the service failed', { error: String(error) }),
    )
    .finally(() => app.quit());
});
