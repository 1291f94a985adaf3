/**
 * A recording stand-in for Electron's main-process API, just large enough for the
 * built shell (out/main/index.js) to start: open its database, install its hardening,
 * register its IPC handler and create its window. Nothing is rendered; every handler
 * the app installs is kept, and once the window exists and IPC is registered, probe.mjs
 * drives those handlers with hostile input and the results are written as JSON to
 * $PIE_AUDIT_STUB_REPORT, then the process exits.
 *
 * Only the names the bundle imports are exported (ESM linking fails loudly, naming
 * the missing export, if the app starts importing something new). Methods the app
 * does not call are left out on purpose: a new call shows up as a TypeError in the
 * report instead of being silently accepted.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probe } from './probe.mjs';
import { hostMode, startHost } from './host.mjs';

/** Everything the app handed to Electron, in the shape probe.mjs consumes. */
const recorded = {
  /** Hardening-relevant calls in order, to check they all precede loading the page. */
  timeline: [],
  privilegedSchemes: [],
  /** { window, options, loadedUrls } for each BrowserWindow. */
  windows: [],
  permissionRequestHandler: undefined,
  permissionCheckHandler: undefined,
  headersReceivedListeners: [],
  /** scheme -> handler given to protocol.handle. */
  protocolHandlers: new Map(),
  /** channel -> handler given to ipcMain.handle. */
  ipcHandlers: new Map(),
  /** channels given to ipcMain.on/once (unchecked fire-and-forget listeners). */
  ipcListeners: [],
  errorBoxes: [],
};

const mark = (step) => recorded.timeline.push(step);

let finished = false;

/** Writes the report (once) and ends the process: the app would otherwise keep running. */
function finish(report, code) {
  if (finished) return;
  finished = true;
  const file = process.env.PIE_AUDIT_STUB_REPORT;
  if (file) fs.writeFileSync(file, JSON.stringify(report, null, 2));
  else console.error('PIE_AUDIT_STUB_REPORT is not set; report:', JSON.stringify(report));
  process.exit(code);
}

/** The app ended before the probe could run (start() failed, or it quit): say why. */
function finishEarly(reason, code) {
  finish({ error: reason, errorBoxes: recorded.errorBoxes, timeline: recorded.timeline }, code);
}

// The probe runs once both the window and the IPC handler exist, on a later macrotask
// so that main.ts finishes its synchronous setup (app.on('activate'), ...) first.
let probeScheduled = false;
function maybeProbe() {
  if (probeScheduled || recorded.windows.length === 0 || recorded.ipcHandlers.size === 0) return;
  probeScheduled = true;
  if (hostMode) {
    // Host mode: keep the app running and serve a real Chromium page (see host.mjs).
    setTimeout(() => startHost(recorded).catch((error) => finishEarly(`host failed: ${error?.stack ?? error}`, 1)), 0);
    return;
  }
  setTimeout(() => {
    probe(recorded, { trustedUrl: process.env.PIE_AUDIT_STUB_TRUSTED_URL ?? '', WebContents: FakeWebContents, app }).then(
      (report) => finish(report, 0),
      (error) => finishEarly(`probe failed: ${error?.stack ?? error}`, 1),
    );
  }, 0);
}

// If the app never gets that far (e.g. it stopped registering IPC), say what is missing
// rather than leaving the test with no report: either the app goes idle, or it hangs.
function missing() {
  const what = [recorded.windows.length === 0 && 'no BrowserWindow was created', recorded.ipcHandlers.size === 0 && 'no ipcMain.handle was registered'];
  return what.filter(Boolean).join(', ') || 'the probe had not finished';
}
process.on('beforeExit', () => finishEarly(`the app went idle: ${missing()}`, 1));
if (!hostMode) setTimeout(() => finishEarly(`timed out: ${missing()}`, 1), Number(process.env.PIE_AUDIT_STUB_TIMEOUT_MS ?? 60_000)).unref();

let nextId = 1;

/** webContents: events (will-navigate, ...), the window-open handler, and send(). */
class FakeWebContents extends EventEmitter {
  id = nextId++;
  windowOpenHandler = undefined;
  sent = [];
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  send(channel, ...args) {
    // In host mode the page receives it (host.mjs); keeping every event would only grow.
    if (hostMode) process.send?.({ type: 'event', channel, args });
    else this.sent.push({ channel, args });
  }
  isDestroyed() {
    return false;
  }
}

/** app: an EventEmitter (web-contents-created, second-instance, ...) plus lifecycle calls. */
class FakeApp extends EventEmitter {
  isPackaged = false;
  requestSingleInstanceLock() {
    return true; // we are the only instance, so main.ts goes on to start()
  }
  whenReady() {
    return Promise.resolve();
  }
  isReady() {
    return true;
  }
  /** Electron answers with the app's package.json version (run from the package root). */
  getVersion() {
    return JSON.parse(fs.readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')).version;
  }
  getName() {
    return 'pie-audit';
  }
  /** userData, downloads, ...: a scratch folder, never the real home directory. */
  getPath(name) {
    const dir = path.join(process.env.PIE_AUDIT_STUB_DIR ?? os.tmpdir(), 'electron-paths', name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }
  quit() {
    finishEarly('app.quit() was called before the window could be probed', 0);
  }
  exit(code = 0) {
    finishEarly(`app.exit(${code}) was called before the window could be probed`, code || 1);
  }
}

export const app = new FakeApp();
// Record when the app installs its app-wide webContents hardening.
app.on('newListener', (event) => {
  if (event === 'web-contents-created') mark('app.on:web-contents-created');
});

/** BrowserWindow: keeps its options (webPreferences!) and the URL it loads. */
export class BrowserWindow extends EventEmitter {
  static getAllWindows() {
    return recorded.windows.map((entry) => entry.window);
  }
  constructor(options = {}) {
    super();
    mark('new BrowserWindow');
    this.webContents = new FakeWebContents();
    this.entry = { window: this, options, loadedUrls: [] };
    recorded.windows.push(this.entry);
    // Like Electron: the window's webContents is announced to app-wide listeners.
    app.emit('web-contents-created', { preventDefault() {} }, this.webContents);
    maybeProbe();
  }
  loadURL(url) {
    mark('BrowserWindow.loadURL');
    this.entry.loadedUrls.push(String(url));
    return Promise.resolve();
  }
  loadFile(file) {
    mark('BrowserWindow.loadURL');
    this.entry.loadedUrls.push(`file://${path.resolve(String(file))}`);
    return Promise.resolve();
  }
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
}

/** session.defaultSession: permission handlers and the response-header hook. */
export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler) {
      mark('session.setPermissionRequestHandler');
      recorded.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler) {
      mark('session.setPermissionCheckHandler');
      recorded.permissionCheckHandler = handler;
    },
    webRequest: {
      // Electron's signature is (listener) or (filter, listener).
      onHeadersReceived(filterOrListener, listener) {
        mark('session.webRequest.onHeadersReceived');
        recorded.headersReceivedListeners.push(typeof filterOrListener === 'function' ? filterOrListener : listener);
      },
    },
  },
};

/** protocol: the privileged-scheme registration and the app:// handler. */
export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    mark('protocol.registerSchemesAsPrivileged');
    recorded.privilegedSchemes.push(...schemes);
  },
  handle(scheme, handler) {
    mark(`protocol.handle:${scheme}`);
    recorded.protocolHandlers.set(scheme, handler);
  },
};

/** ipcMain: invoke handlers (probed for sender checks) and any plain listeners. */
export const ipcMain = {
  handle(channel, handler) {
    mark(`ipcMain.handle:${channel}`);
    recorded.ipcHandlers.set(channel, handler);
    maybeProbe();
  },
  removeHandler(channel) {
    recorded.ipcHandlers.delete(channel);
  },
  on(channel) {
    recorded.ipcListeners.push(channel);
    return ipcMain;
  },
  once(channel) {
    recorded.ipcListeners.push(channel);
    return ipcMain;
  },
};

/** Menu: built and installed, nothing else (the menu is not part of the checklist). */
export const Menu = {
  buildFromTemplate(template) {
    return { template };
  },
  setApplicationMenu() {},
};

/** dialog: error boxes are how main.ts reports a failed start, so keep their text. */
export const dialog = {
  showErrorBox(title, content) {
    recorded.errorBoxes.push({ title, content });
    console.error(`[electron stub] ${title}: ${content}`);
  },
  showMessageBox() {
    return Promise.resolve({ response: 0, checkboxChecked: false });
  },
  /** Cancelled, except in host mode: there the user "chooses" <stub dir>/saved/<suggested name>. */
  showSaveDialog(windowOrOptions, maybeOptions) {
    const options = maybeOptions ?? windowOrOptions;
    if (!hostMode) return Promise.resolve({ canceled: true, filePath: undefined });
    const dir = path.join(process.env.PIE_AUDIT_STUB_DIR ?? os.tmpdir(), 'saved');
    fs.mkdirSync(dir, { recursive: true });
    return Promise.resolve({ canceled: false, filePath: path.join(dir, path.basename(String(options?.defaultPath ?? 'export'))) });
  },
  /** as when the user cancels the manifest picker (models.chooseManifest) */
  showOpenDialog() {
    return Promise.resolve({ canceled: true, filePaths: [] });
  },
};

/** shell: not imported today; here so a future openExternal does not break the run. */
export const shell = {
  openExternal() {
    return Promise.resolve();
  },
};
