import { EventEmitter } from 'node:events';

// A test-only stand-in for the `electron` module, for running the built desktop shell
// (dist/main/main.cjs) under plain Node: the Electron binary cannot be downloaded here. Each part
// records what main asks of it, lets a test fire the events Electron would fire, and implements
// only Electron's documented behaviour (https://www.electronjs.org/docs/latest/api/…), including
// the refusals: no window, tray, protocol handler or session before `ready`; no second IPC handler
// for a channel; no call on a destroyed window. A shortcut that made a wrong main.ts pass would
// make these tests worthless.

/** An Electron event object: `preventDefault()` and whether it was called. */
export interface StandInEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  readonly url?: string;
}

export function preventableEvent(fields: { readonly url?: string } = {}): StandInEvent {
  const event: StandInEvent = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

export interface StandInOptions {
  /** `app.getPath('userData')`. */
  readonly userData: string;
  /** What `app.requestSingleInstanceLock()` answers: false when another instance holds it. */
  readonly singleInstanceLock?: boolean;
  /**
   * What `session.resolveProxy(url)` answers, in Chromium's PAC form (`"PROXY host:port; DIRECT"`):
   * the OS proxy settings the desktop app would see. `DIRECT` by default.
   */
  readonly systemProxy?: (url: string) => string;
}

/** A frame as `event.senderFrame` describes it (WebFrameMain). */
export interface StandInFrame {
  readonly url: string;
  readonly top: StandInFrame | null;
  readonly detached: boolean;
}

type Handler = (event: { senderFrame: StandInFrame | null }, ...args: unknown[]) => unknown;
type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };
type ProtocolHandler = (request: Request) => Response | Promise<Response>;
type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
) => void;
type PermissionCheckHandler = (contents: unknown, permission: string) => boolean;

export interface MenuItemTemplate {
  readonly label?: string;
  readonly type?: string;
  readonly enabled?: boolean;
  readonly click?: () => void;
}

function destroyedError(): TypeError {
  return new TypeError('Object has been destroyed');
}

function notReady(what: string): Error {
  return new Error(`${what} can only be used after the app is ready`);
}

export interface StandInLoad {
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface StandInWebContents extends EventEmitter {
  readonly id: number;
  readonly sent: readonly { readonly channel: string; readonly args: readonly unknown[] }[];
  readonly loads: readonly StandInLoad[];
  readonly windowOpenHandler: WindowOpenHandler | undefined;
  isDestroyed(): boolean;
}

export interface StandInWindow extends EventEmitter {
  readonly options: Readonly<Record<string, unknown>>;
  readonly webContents: StandInWebContents;
  readonly visible: boolean;
  isDestroyed(): boolean;
  close(): void;
  minimize(): void;
}

export interface StandInTray {
  readonly toolTip: string;
  readonly contextMenu: { readonly items: readonly MenuItemTemplate[] } | null;
}

export interface ElectronStandIn {
  /** The module object main.cjs receives for `require('electron')`. */
  readonly electron: Readonly<Record<string, unknown>>;
  readonly app: EventEmitter & { quit(): void };
  readonly calls: readonly { readonly what: string; readonly args: readonly unknown[] }[];
  readonly windows: readonly StandInWindow[];
  readonly trays: readonly StandInTray[];
  readonly ipcHandlers: ReadonlyMap<string, Handler>;
  readonly openedExternally: readonly string[];
  readonly privilegedSchemes: readonly unknown[];
  readonly permissionRequestHandler: PermissionRequestHandler | null;
  readonly permissionCheckHandler: PermissionCheckHandler | null;
  readonly exited: boolean;
  fireReady(): void;
  invoke(channel: string, frame: StandInFrame | null, ...args: unknown[]): Promise<unknown>;
  mainFrame(url: string): StandInFrame;
}

export function createElectronStandIn(options: StandInOptions): ElectronStandIn {
  let ready = false;
  let readyResolve: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    readyResolve = resolve;
  });
  let quitting = false;
  let exited = false;
  let nextContentsId = 1;

  /** Everything main asked for, in order: the order matters (e.g. CSP before the first load). */
  const calls: { readonly what: string; readonly args: readonly unknown[] }[] = [];
  const record = (what: string, ...args: unknown[]): void => {
    calls.push({ what, args });
  };

  const app = Object.assign(new EventEmitter(), {
    isReady: () => ready,
    whenReady: () => readyPromise,
    getPath(name: string): string {
      if (name === 'userData') return options.userData;
      throw new Error(`Failed to get '${name}' path`);
    },
    getVersion: () => '0.0.0-stand-in',
    requestSingleInstanceLock(): boolean {
      record('app.requestSingleInstanceLock');
      return options.singleInstanceLock ?? true;
    },
    enableSandbox(): void {
      // Documented: "This method can only be called before app is ready."
      if (ready) throw new Error('app.enableSandbox() can only be called before app is ready');
      record('app.enableSandbox');
    },
    setAsDefaultProtocolClient(scheme: string, path?: string, args?: readonly string[]): boolean {
      record('app.setAsDefaultProtocolClient', scheme, path, args);
      return true;
    },
    /**
     * Documented order: `before-quit` (preventable), then every window is closed, then
     * `will-quit` (preventable), then `quit`. A prevented `before-quit` cancels the quit.
     */
    quit(): void {
      record('app.quit');
      if (exited || quitting) return;
      quitting = true;
      const beforeQuit = preventableEvent();
      app.emit('before-quit', beforeQuit);
      if (beforeQuit.defaultPrevented) {
        quitting = false;
        return;
      }
      for (const window of [...windows]) {
        window.close();
        if (!window.isDestroyed()) {
          quitting = false;
          return;
        }
      }
      const willQuit = preventableEvent();
      app.emit('will-quit', willQuit);
      if (willQuit.defaultPrevented) {
        quitting = false;
        return;
      }
      exited = true;
      app.emit('quit', preventableEvent(), 0);
    },
    exit(code = 0): void {
      record('app.exit', code);
      exited = true;
    },
  });

  // ---------------------------------------------------------------------------------------------
  // protocol

  const privilegedSchemes: unknown[] = [];
  let privilegedRegistered = false;
  const protocolHandlers = new Map<string, ProtocolHandler>();
  const protocol = {
    registerSchemesAsPrivileged(schemes: readonly unknown[]): void {
      // Documented: before `ready`, and only once.
      if (ready) throw new Error('registerSchemesAsPrivileged must be called before app is ready');
      if (privilegedRegistered) throw new Error('registerSchemesAsPrivileged can be called once');
      privilegedRegistered = true;
      privilegedSchemes.push(...schemes);
      record('protocol.registerSchemesAsPrivileged', schemes);
    },
    handle(scheme: string, handler: ProtocolHandler): void {
      if (!ready) throw notReady('protocol.handle');
      if (protocolHandlers.has(scheme))
        throw new Error(`The scheme "${scheme}" is already handled`);
      protocolHandlers.set(scheme, handler);
      record('protocol.handle', scheme);
    },
    unhandle(scheme: string): void {
      protocolHandlers.delete(scheme);
    },
    isProtocolHandled: (scheme: string) => protocolHandlers.has(scheme),
  };

  // ---------------------------------------------------------------------------------------------
  // session

  let permissionRequestHandler: PermissionRequestHandler | null = null;
  let permissionCheckHandler: PermissionCheckHandler | null = null;
  const defaultSession = {
    setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
      record('session.setPermissionRequestHandler');
      permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
      record('session.setPermissionCheckHandler');
      permissionCheckHandler = handler;
    },
    resolveProxy(url: string): Promise<string> {
      record('session.resolveProxy', url);
      return Promise.resolve(options.systemProxy?.(url) ?? 'DIRECT');
    },
    webRequest: {
      onHeadersReceived(...args: unknown[]): void {
        record('session.webRequest.onHeadersReceived', ...args);
      },
      onBeforeRequest(...args: unknown[]): void {
        record('session.webRequest.onBeforeRequest', ...args);
      },
    },
  };
  const session = {
    get defaultSession() {
      if (!ready) throw notReady('session.defaultSession');
      return defaultSession;
    },
  };

  // ---------------------------------------------------------------------------------------------
  // web contents and windows

  class WebContents extends EventEmitter {
    readonly id = nextContentsId++;
    readonly sent: { channel: string; args: unknown[] }[] = [];
    readonly loads: StandInLoad[] = [];
    windowOpenHandler: WindowOpenHandler | undefined;
    private destroyed = false;
    private url = '';

    isDestroyed(): boolean {
      return this.destroyed;
    }
    destroy(): void {
      this.destroyed = true;
      this.emit('destroyed');
    }
    private check(): void {
      if (this.destroyed) throw destroyedError();
    }
    getURL(): string {
      this.check();
      return this.url;
    }
    send(channel: string, ...args: unknown[]): void {
      this.check();
      this.sent.push({ channel, args });
    }
    setWindowOpenHandler(handler: WindowOpenHandler): void {
      this.check();
      this.windowOpenHandler = handler;
    }
    /**
     * Loads a URL the way Chromium would for this shell: a scheme main handled through
     * `protocol.handle` is answered by that handler; any other scheme fails as unknown.
     */
    async loadURL(url: string): Promise<void> {
      this.check();
      record('webContents.loadURL', url);
      const scheme = new URL(url).protocol.slice(0, -1);
      const handler = protocolHandlers.get(scheme);
      if (!handler) {
        this.loads.push({ url, status: 0, headers: {}, body: '' });
        throw new Error(`ERR_UNKNOWN_URL_SCHEME (-302) loading '${url}'`);
      }
      const response = await handler(new Request(url));
      // A page still loading when its window is destroyed is aborted: no more events.
      if (this.destroyed) throw new Error(`ERR_ABORTED (-3) loading '${url}'`);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        headers[key] = value;
      });
      this.loads.push({ url, status: response.status, headers, body: await response.text() });
      if (!response.ok) throw new Error(`ERR_HTTP_RESPONSE_CODE_FAILURE loading '${url}'`);
      this.url = url;
      this.emit('did-finish-load');
    }
    reload(): void {
      this.check();
      record('webContents.reload', this.url);
      // reload() returns nothing: a failure shows as `did-fail-load`, never as a rejection.
      if (this.url) this.loadURL(this.url).catch(() => this.emit('did-fail-load'));
    }
  }

  const windows: BrowserWindow[] = [];

  class BrowserWindow extends EventEmitter {
    static getAllWindows(): BrowserWindow[] {
      return [...windows];
    }
    readonly webContents = new WebContents();
    readonly options: Record<string, unknown>;
    visible = false;
    minimized = false;
    focused = false;
    private destroyed = false;

    constructor(windowOptions: Record<string, unknown> = {}) {
      super();
      // Documented: "Cannot create BrowserWindow before app is ready".
      if (!ready) throw new Error('Cannot create BrowserWindow before app is ready');
      this.options = windowOptions;
      record('new BrowserWindow', windowOptions);
      windows.push(this);
      app.emit('web-contents-created', preventableEvent(), this.webContents);
      app.emit('browser-window-created', preventableEvent(), this);
      this.webContents.on('did-finish-load', () => this.emit('ready-to-show'));
    }
    private check(): void {
      if (this.destroyed) throw destroyedError();
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    loadURL(url: string): Promise<void> {
      this.check();
      return this.webContents.loadURL(url);
    }
    show(): void {
      this.check();
      this.visible = true;
      record('window.show');
    }
    hide(): void {
      this.check();
      this.visible = false;
    }
    isVisible(): boolean {
      this.check();
      return this.visible;
    }
    focus(): void {
      this.check();
      this.focused = true;
      record('window.focus');
    }
    isMinimized(): boolean {
      this.check();
      return this.minimized;
    }
    minimize(): void {
      this.check();
      this.minimized = true;
    }
    restore(): void {
      this.check();
      this.minimized = false;
      record('window.restore');
    }
    /** Documented: emits `close` (preventable); unless prevented, the window is destroyed. */
    close(): void {
      if (this.destroyed) return;
      const event = preventableEvent();
      this.emit('close', event);
      if (event.defaultPrevented) return;
      this.destroy();
    }
    destroy(): void {
      if (this.destroyed) return;
      this.destroyed = true;
      windows.splice(windows.indexOf(this), 1);
      this.webContents.destroy();
      this.emit('closed');
      if (windows.length === 0 && !quitting) app.emit('window-all-closed');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ipcMain

  const ipcHandlers = new Map<string, Handler>();
  const ipcMain = Object.assign(new EventEmitter(), {
    handle(channel: string, handler: Handler): void {
      // Documented: a second handler for the same channel is an error.
      if (ipcHandlers.has(channel)) {
        throw new Error(`Attempted to register a second handler for '${channel}'`);
      }
      ipcHandlers.set(channel, handler);
      record('ipcMain.handle', channel);
    },
    handleOnce(channel: string, handler: Handler): void {
      ipcMain.handle(channel, (event, ...args) => {
        ipcHandlers.delete(channel);
        return handler(event, ...args);
      });
    },
    removeHandler(channel: string): void {
      ipcHandlers.delete(channel);
    },
  });

  // ---------------------------------------------------------------------------------------------
  // shell, tray, menu, images

  const openedExternally: string[] = [];
  const shell = {
    openExternal(url: string): Promise<void> {
      record('shell.openExternal', url);
      openedExternally.push(url);
      return Promise.resolve();
    },
  };

  class Menu {
    static buildFromTemplate(template: readonly MenuItemTemplate[]): Menu {
      return new Menu(template);
    }
    constructor(readonly items: readonly MenuItemTemplate[]) {}
  }

  const trays: Tray[] = [];
  class Tray extends EventEmitter {
    toolTip = '';
    contextMenu: Menu | null = null;
    constructor(readonly image: unknown) {
      super();
      if (!ready) throw new Error('Cannot create Tray before app is ready');
      trays.push(this);
      record('new Tray');
    }
    setToolTip(text: string): void {
      this.toolTip = text;
    }
    setContextMenu(menu: Menu | null): void {
      this.contextMenu = menu;
    }
    destroy(): void {
      trays.splice(trays.indexOf(this), 1);
    }
  }

  const nativeImage = {
    createEmpty: () => ({ isEmpty: () => true }),
  };

  const safeStorage = {
    isEncryptionAvailable: () => false,
  };

  const electron = {
    app,
    protocol,
    session,
    BrowserWindow,
    ipcMain,
    shell,
    Menu,
    Tray,
    nativeImage,
    safeStorage,
  };

  /** What a test drives and reads. */
  const control: ElectronStandIn = {
    electron,
    app,
    calls,
    windows,
    trays,
    ipcHandlers,
    openedExternally,
    privilegedSchemes,
    get permissionRequestHandler() {
      return permissionRequestHandler;
    },
    get permissionCheckHandler() {
      return permissionCheckHandler;
    },
    get exited() {
      return exited;
    },
    /** Electron emits `will-finish-launching`, then `ready`. */
    fireReady(): void {
      app.emit('will-finish-launching');
      ready = true;
      app.emit('ready', preventableEvent(), {});
      readyResolve();
    },
    /** Invokes an IPC handler as a renderer frame would (`ipcRenderer.invoke`). */
    async invoke(
      channel: string,
      frame: StandInFrame | null,
      ...args: unknown[]
    ): Promise<unknown> {
      const handler = ipcHandlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return handler({ senderFrame: frame }, ...args);
    },
    /** A main frame at the given URL (`frame.top === frame`). */
    mainFrame(url: string): StandInFrame {
      const frame: { url: string; top: StandInFrame | null; detached: boolean } = {
        url,
        top: null,
        detached: false,
      };
      frame.top = frame;
      return frame;
    },
  };
  return control;
}
