import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../common/api/envelope.js';
import { OPERATION_NAMES, operationChannel } from '../../common/api/operations.js';
import { contentSecurityPolicy } from '../../core/serve/bundle-path.js';
import { repoRoot } from '../helpers/cli-harness.js';
import { startTestSimulator, type RunningSimulator } from '../helpers/sim.js';
import {
  preventableEvent,
  type ElectronStandIn,
  type StandInWindow,
} from './electron-stand-in/electron-stand-in.js';
import { builtMain, callOperation, loadMain, until } from './electron-stand-in/load-main.js';

// The built desktop shell (dist/main/main.cjs, what `npm start` runs) executed under plain Node
// with a recording stand-in for `electron`: the wiring between the tested decisions — handlers,
// window options, order relative to `ready`, deep links, quitting — runs here, not only in review.

const APP_URL = 'app://bundle/index.html';
const CALLBACK = 'io.ankra.bdc-companion:/oauth/callback';

function homeDir(): string {
  return mkdtempSync(join(tmpdir(), 'shell-wiring-'));
}

const call = callOperation;

/** Fires `ready` and waits for the shell's asynchronous start: service, IPC, window, tray. */
async function start(shell: ElectronStandIn): Promise<StandInWindow> {
  shell.fireReady();
  await until('the tray', () => shell.trays.length > 0);
  return until('the window', () => shell.windows[0]);
}

/** Quits as the tray's Quit does, and waits until Electron would end the process. */
async function quit(shell: ElectronStandIn): Promise<void> {
  shell.app.quit();
  await until('the quit', () => shell.exited, 20_000);
}

function logText(home: string): string {
  const directory = join(home, 'logs');
  if (!existsSync(directory)) return '';
  return readdirSync(directory)
    .map((name) => readFileSync(join(directory, name), 'utf8'))
    .join('');
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('the desktop shell under a recording Electron stand-in', () => {
  let sim: RunningSimulator;
  const homes: string[] = [];

  beforeAll(async () => {
    expect(existsSync(builtMain), 'run `npm run build` first').toBe(true);
    sim = await startTestSimulator();
  });

  afterAll(async () => {
    await sim?.close();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  function launch(argv: readonly string[] = [], singleInstanceLock = true): ElectronStandIn {
    const home = homeDir();
    homes.push(home);
    return loadMain({ userData: home, argv, singleInstanceLock });
  }

  describe('a normal start', () => {
    let shell: ElectronStandIn;
    let window: StandInWindow;

    beforeAll(async () => {
      shell = launch();
      window = await start(shell);
      await until('the first load', () => window.webContents.loads[0]);
    });

    afterAll(async () => {
      if (shell && !shell.exited) await quit(shell);
    });

    it('registers the app:// scheme as privileged and enables the sandbox before ready', () => {
      const whats = shell.calls.map((each) => each.what);
      expect(whats.indexOf('protocol.registerSchemesAsPrivileged')).toBeGreaterThanOrEqual(0);
      expect(whats.indexOf('app.enableSandbox')).toBeGreaterThanOrEqual(0);
      expect(shell.privilegedSchemes).toEqual([
        { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
      ]);
      expect(shell.calls).toContainEqual({
        what: 'app.setAsDefaultProtocolClient',
        args: ['io.ankra.bdc-companion', undefined, undefined],
      });
    });

    it('has exactly one IPC handler per operation of the contract, and no other', () => {
      const channels = [...shell.ipcHandlers.keys()].sort();
      expect(channels).toEqual(OPERATION_NAMES.map((name) => operationChannel(name)).sort());
      const registrations = shell.calls.filter((each) => each.what === 'ipcMain.handle');
      expect(registrations).toHaveLength(OPERATION_NAMES.length);
    });

    it('answers the UI over IPC and refuses a frame of another origin', async () => {
      const info = await call<{ transport: string }>(shell, 'getAppInfo');
      expect(info.transport).toBe('electron');
      const foreign = (await shell.invoke(
        operationChannel('getAppInfo'),
        shell.mainFrame('https://evil.example/'),
      )) as Envelope<unknown>;
      expect(foreign).toMatchObject({ ok: false, error: { code: 'APP_SENDER_REFUSED' } });
    });

    it('creates the window sandboxed and isolated, with the built preload that exists on disk', () => {
      const preferences = window.options['webPreferences'] as Record<string, unknown>;
      expect(preferences).toMatchObject({
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
      });
      expect(preferences['preload']).toBe(join(repoRoot, 'dist/preload/preload.cjs'));
      expect(existsSync(preferences['preload'] as string)).toBe(true);
    });

    it('loads app:// from the built bundle with the CSP, the protocol handled before the load', () => {
      const [first] = window.webContents.loads;
      expect(first?.url).toBe(APP_URL);
      expect(first?.status).toBe(200);
      expect(first?.headers['content-security-policy']).toBe(contentSecurityPolicy());
      expect(first?.body).toBe(readFileSync(join(repoRoot, 'dist/renderer/index.html'), 'utf8'));
      const whats = shell.calls.map((each) => each.what);
      expect(whats.indexOf('protocol.handle')).toBeLessThan(whats.indexOf('webContents.loadURL'));
      expect(whats.indexOf('session.setPermissionRequestHandler')).toBeLessThan(
        whats.indexOf('webContents.loadURL'),
      );
      expect(whats.lastIndexOf('ipcMain.handle')).toBeLessThan(whats.indexOf('new BrowserWindow'));
    });

    it('keeps navigation on the bundle and denies new windows', () => {
      const away = preventableEvent();
      window.webContents.emit('will-navigate', away, 'https://evil.example/');
      expect(away.defaultPrevented).toBe(true);
      const within = preventableEvent();
      window.webContents.emit('will-navigate', within, 'app://bundle/index.html#/history');
      expect(within.defaultPrevented).toBe(false);
      const redirect = preventableEvent();
      window.webContents.emit('will-redirect', redirect, 'http://127.0.0.1:9/');
      expect(redirect.defaultPrevented).toBe(true);
      const frame = preventableEvent({ url: 'file:///etc/passwd' });
      window.webContents.emit('will-frame-navigate', frame);
      expect(frame.defaultPrevented).toBe(true);
      const webview = preventableEvent();
      window.webContents.emit('will-attach-webview', webview);
      expect(webview.defaultPrevented).toBe(true);

      const opened = shell.openedExternally.length;
      expect(window.webContents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({
        action: 'deny',
      });
      expect(shell.openedExternally).toHaveLength(opened);
    });

    it('denies every permission request and check', () => {
      const answers: boolean[] = [];
      shell.permissionRequestHandler?.(window.webContents, 'media', (granted) =>
        answers.push(granted),
      );
      shell.permissionRequestHandler?.(window.webContents, 'notifications', (granted) =>
        answers.push(granted),
      );
      expect(answers).toEqual([false, false]);
      expect(shell.permissionCheckHandler?.(window.webContents, 'clipboard-read')).toBe(false);
    });

    it('reloads a renderer that crashed', () => {
      const before = shell.calls.filter((each) => each.what === 'webContents.reload').length;
      window.webContents.emit('render-process-gone', preventableEvent(), { reason: 'crashed' });
      const after = shell.calls.filter((each) => each.what === 'webContents.reload').length;
      expect(after).toBe(before + 1);
    });

    it('keeps running in the tray when the window closes, and the tray opens a new window', async () => {
      window.close();
      expect(window.isDestroyed()).toBe(true);
      expect(shell.exited).toBe(false);
      const open = shell.trays[0]?.contextMenu?.items.find((item) => item.label === 'Open');
      expect(open?.click).toBeTypeOf('function');
      open?.click?.();
      const reopened = await until('a new window', () =>
        shell.windows.find((each) => each !== window && !each.isDestroyed()),
      );
      await until('its load', () => reopened.webContents.loads[0]);
      expect(reopened.webContents.loads[0]?.status).toBe(200);
      window = reopened;
    });

    it('brings a window back for a second launch without a link, after the window was closed', async () => {
      window.close();
      shell.app.emit('second-instance', preventableEvent(), ['/opt/x/bdc-companion'], '/');
      window = await until('a new window', () => shell.windows.find((each) => !each.isDestroyed()));
      expect(window.isDestroyed()).toBe(false);
    });
  });

  it('hands a second-instance deep link to the OAuth sign-in waiting for it', async () => {
    const shell = launch();
    await start(shell);
    await call(shell, 'addInstallation', {
      name: 'sim',
      baseUrl: sim.url,
      allowLoopback: true,
      caPems: [sim.caPem],
    });
    const started = await call<{ flowId: string; authorizeUrl: string; opened: boolean }>(
      shell,
      'startOAuth',
      { installation: 'sim', clientId: sim.oauthClientId, clientSecret: sim.oauthClientSecret },
    );
    // main opened the authorize URL it was asked for, in the system browser.
    expect(started.opened).toBe(true);
    expect(shell.openedExternally).toContain(started.authorizeUrl);
    const state = new URL(started.authorizeUrl).searchParams.get('state');
    const waiting = call<{ kind: string; error?: { code: string } }>(shell, 'awaitOAuth', {
      flowId: started.flowId,
    });
    // As Windows and Linux deliver it: a second launch whose argv carries the callback URL.
    shell.app.emit(
      'second-instance',
      preventableEvent(),
      ['/opt/x/bdc-companion', `${CALLBACK}?code=not-a-real-code&state=${state}`],
      '/',
    );
    // The code reached the token exchange (the simulator refuses an unknown code): the flow ended
    // on the link, not on its 10-minute timeout.
    const ended = await waiting;
    expect(ended.kind).toBe('failed');
    expect(ended.error?.code).not.toBe('OAUTH_CALLBACK_TIMEOUT');
    await quit(shell);
  });

  it('delivers a cold-start deep link (argv, and macOS open-url before ready) once the service runs', async () => {
    const link = `${CALLBACK}?code=c&state=s`;
    const shell = launch([link]);
    const openUrl = preventableEvent();
    shell.app.emit('open-url', openUrl, `${CALLBACK}?code=c2&state=s2`);
    expect(openUrl.defaultPrevented).toBe(true);
    await start(shell);
    const home = homes.at(-1) ?? '';
    // No sign-in is waiting in a process that just started: both links are reported, not lost.
    await until('both links reported', () =>
      logText(home).split('no sign-in was waiting').length === 3 ? true : undefined,
    );
    expect(logText(home)).not.toContain('code=c');
    await quit(shell);
  });

  it('quits at once, without a window, when another instance holds the lock', async () => {
    const shell = launch([], false);
    expect(shell.calls.map((each) => each.what)).toContain('app.quit');
    expect(shell.exited).toBe(true);
    expect(shell.app.listenerCount('second-instance')).toBe(0);
  });

  it('closes the service before the process ends when quitting: the relay stops listening', async () => {
    const shell = launch();
    await start(shell);
    await call(shell, 'addInstallation', {
      name: 'sim',
      baseUrl: sim.url,
      allowLoopback: true,
      caPems: [sim.caPem],
    });
    await call(shell, 'signInWithPat', { installation: 'sim', token: sim.pat });
    await call(shell, 'updateInstallation', {
      installation: 'sim',
      platform: { baseUrl: 'https://platform.example', installationId: 'plat-1' },
      relay: { listen: '127.0.0.1:0' },
    });
    await call(shell, 'setWebhookSecret', {
      installation: 'sim',
      secret: 'relay-secret-0123456789',
    });
    const relay = await call<{ running: boolean; listen: string }>(shell, 'startRelay', {
      installation: 'sim',
    });
    expect(relay.running).toBe(true);
    const port = Number(relay.listen.split(':').at(-1));
    expect(await refused(port)).toBe(false);

    let quitAt = 0;
    shell.app.once('quit', () => {
      quitAt = Date.now();
    });
    await quit(shell);
    expect(quitAt).toBeGreaterThan(0);
    expect(await refused(port)).toBe(true);
    const status = await import('../../core/storage/database.js');
    const database = status.openDatabase(homes.at(-1) ?? '');
    try {
      const run = database.prepare('SELECT stopped_at FROM relay_runs').get() as {
        stopped_at: number | null;
      };
      expect(run.stopped_at).not.toBeNull();
    } finally {
      database.close();
    }
  });

  // Issue 14: the desktop runs the bridge itself, and the tray line follows its state changes.
  it('runs the bridge once a token is stored, and the tray line follows it: refused, then connected', async () => {
    const shell = launch();
    await start(shell);
    await call(shell, 'addInstallation', {
      name: 'sim',
      baseUrl: sim.url,
      allowLoopback: true,
      caPems: [sim.caPem],
    });
    await call(shell, 'signInWithPat', { installation: 'sim', token: sim.pat });
    await call(shell, 'updateInstallation', {
      installation: 'sim',
      platform: {
        baseUrl: sim.platform?.url ?? '',
        installationId: sim.platform?.installationId ?? '',
        caPems: [sim.platform?.caPem ?? ''],
      },
    });
    const tray = shell.trays[0];
    await call(shell, 'setBridgeToken', { installation: 'sim', token: 'abt_not-the-issued-token' });
    await until('the refused line', () =>
      tray?.toolTip.includes('Bridge: token refused by the platform') ? true : undefined,
    );
    await call(shell, 'setBridgeToken', {
      installation: 'sim',
      token: sim.platform?.bridgeToken ?? '',
    });
    await until('the connected line', () =>
      tray?.toolTip.includes('Bridge: connected (1)') ? true : undefined,
    );
    await quit(shell);
    expect(
      sim.platform?.bridge
        .connections()
        .filter((each) => each.installationId === sim.platform?.installationId),
    ).toEqual([]);
  });
});
