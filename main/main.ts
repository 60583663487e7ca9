import { readFile } from 'node:fs/promises';
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
import type { RelayStatus } from '../common/api/models.js';
import { CompanionError } from '../common/errors/companion-error.js';
import { contentTypeFor } from '../core/serve/bundle-path.js';
import { createLogger } from '../core/logging/file-logger.js';
import { openSecretStore } from '../core/secrets/open-secret-store.js';
import type { CompanionService } from '../core/service/companion-service.js';
import { openCompanionService } from '../core/service/open-service.js';
import { registerIpc } from './ipc/register-ipc.js';
import { APP_SCHEME, appRequestPath, appResponseHeaders } from './security/app-protocol.js';
import { findDeepLink, OAUTH_SCHEME, parseOAuthCallback } from './security/deep-link.js';
import { isInstallationPageUrl, isOpenableAuthorizeUrl } from './security/external-url.js';
import { isAllowedNavigation } from './security/navigation.js';
import { relayTrayLabel } from './tray-status.js';
import { createMainWindow } from './main-window.js';

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
const pendingLinks: string[] = [];

async function deliverDeepLink(link: string): Promise<void> {
  const callback = parseOAuthCallback(link);
  // Logged without the query: it carries the authorization code.
  if (!callback) return;
  if (!service) {
    pendingLinks.push(link);
    return;
  }
  await service.deliverOAuthCallback?.(callback.url);
  if (window) {
    if (window.isMinimized()) window.restore();
    window.focus();
  }
}

// Windows and Linux: a second launch carries the callback URL in its argv.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    const link = findDeepLink(argv);
    if (link) void deliverDeepLink(link);
    else if (window) window.focus();
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
    const body = await readFile(join(bundleDir, relative));
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
  const label = relayTrayLabel(statuses);
  tray.setToolTip(`Ankra BDC Companion — ${label}`);
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label, enabled: false },
      { type: 'separator' },
      { label: 'Open', click: () => window?.show() },
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

  const logger = createLogger({ home, level: 'info', component: 'main' });
  const secretStore = await openSecretStore({ home, env: process.env, backend: 'keytar' });
  service = await openCompanionService({
    home,
    transport: 'electron',
    logger,
    secretStore,
    env: process.env,
    oauthRedirect: 'custom',
    openBrowser,
  });
  window = createMainWindow(preloadPath);
  registerIpc(ipcMain, service, () => window?.webContents);

  tray = new Tray(nativeImage.createEmpty());
  void refreshTray();
  service.onEvent((event) => {
    if (event.kind === 'relay-status') void refreshTray();
  });

  for (const link of pendingLinks.splice(0)) await deliverDeepLink(link);
});

app.on('window-all-closed', () => {
  // The relay keeps running in the tray until the user quits.
  if (process.platform !== 'darwin' && !tray) app.quit();
});

app.on('before-quit', () => {
  void service?.close();
});
