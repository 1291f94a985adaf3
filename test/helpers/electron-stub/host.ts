/**
 * The renderer's Electron path without Electron: the BUILT main bundle (out/main/index.js)
 * runs under the Electron stub in host mode (host.mjs), and a Chromium page gets
 * `window.pieAudit` from the BUILT preload (out/preload/preload.cjs), evaluated in the
 * page with stand-ins for contextBridge and ipcRenderer:
 *
 *   page: preload -> ipcRenderer.invoke -> structuredClone(args) -> exposeBinding
 *   test process -> child IPC (structured clone) -> the app's ipcMain.handle handler
 *   answer -> structured clone -> page -> structuredClone -> the renderer
 *   events: webContents.send -> child IPC -> page.evaluate -> the preload's listener
 *
 * What only a real Electron would check (the sandbox, contextIsolation, the real
 * contextBridge's proxying, app:// as a real scheme, the save dialog) is listed in
 * docs/reliability.md under "The Electron path".
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT } from '../cli.js';
import { MAIN_BUNDLE, PRELOAD_BUNDLE } from './run.js';

const REGISTER = path.join(ROOT, 'test', 'helpers', 'electron-stub', 'register.mjs');

type HostMessage =
  | { type: 'ready'; origin: string; loadedUrls: string[] }
  | { type: 'reply'; id: number; result?: unknown; error?: string }
  | { type: 'event'; channel: string; args: unknown[] };

export interface ElectronHost {
  /** Where the app's app:// handler is reached over HTTP (http://127.0.0.1:port). */
  origin: string;
  /** The URLs the app's window loaded (as Electron would: app://renderer/index.html). */
  loadedUrls: string[];
  /** Files the app wrote where its save dialog pointed (<dir>/saved). */
  savedDir: string;
  child: ChildProcess;
  /** Every event the app sent to its window, in order. */
  events: { channel: string; args: unknown[] }[];
  stderr: () => string;
  /** Connects a page: the preload runs in it, its IPC reaches the app, events reach it. */
  attach(page: Page): Promise<void>;
  stop(): Promise<void>;
}

/** The page side: the built preload with contextBridge and ipcRenderer stand-ins. */
function pageScript(preloadSource: string): string {
  return `(() => {
  const listeners = new Map();
  const ipcRenderer = {
    // Electron clones the arguments before they leave the page (a function throws
    // DataCloneError here, as there) and clones the answer into the page.
    invoke(channel, ...args) {
      let cloned;
      try { cloned = structuredClone(args); } catch (error) { return Promise.reject(error); }
      return window.__pieAuditIpcInvoke(String(channel), cloned).then((answer) => {
        if (answer.error !== undefined) throw new Error("Error invoking remote method '" + channel + "': Error: " + answer.error);
        return structuredClone(answer.result);
      });
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(listener);
      return ipcRenderer;
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  Object.defineProperty(window, '__pieAuditIpcEmit', {
    value: (channel, args) => {
      for (const listener of [...(listeners.get(channel) ?? [])]) listener({ sender: ipcRenderer }, ...structuredClone(args));
      return (listeners.get(channel) ?? new Set()).size;
    },
  });
  const contextBridge = {
    exposeInMainWorld(key, api) {
      Object.defineProperty(window, key, { value: Object.freeze({ ...api }), enumerable: true });
    },
  };
  const require = (id) => {
    if (id === 'electron') return { contextBridge, ipcRenderer };
    throw new Error('module not found: ' + id + ' (a sandboxed preload cannot require it)');
  };
  const module = { exports: {} };
  (function (exports, require, module) {
${preloadSource}
  })(module.exports, require, module);
})();`;
}

/** Starts out/main/index.js in host mode on `database`; `dir` holds its scratch files. */
export async function startElectronHost(dir: string, database: string): Promise<ElectronHost> {
  for (const file of [MAIN_BUNDLE, PRELOAD_BUNDLE]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run build\` first`);
  }
  const child = fork(MAIN_BUNDLE, [], {
    cwd: ROOT,
    execArgv: ['--import', pathToFileURL(REGISTER).href],
    serialization: 'advanced',
    env: {
      ...process.env,
      PIE_AUDIT_STUB_MODE: 'host',
      PIE_AUDIT_DB: database,
      PIE_AUDIT_DATA_DIR: path.join(dir, 'data-dir'),
      PIE_AUDIT_CACHE_DIR: path.join(dir, 'cache'),
      PIE_AUDIT_STUB_DIR: dir,
      PIE_AUDIT_STUB_REPORT: path.join(dir, 'host-report.json'),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();

  const pending = new Map<number, (answer: { result?: unknown; error?: string }) => void>();
  const pages = new Set<Page>();
  const events: ElectronHost['events'] = [];
  let nextId = 1;

  const ready = new Promise<{ origin: string; loadedUrls: string[] }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the main bundle exited with ${code} before it was ready: ${stderr}`)));
    child.on('message', (message: HostMessage) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'reply') {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      } else if (message.type === 'event') {
        events.push({ channel: message.channel, args: message.args });
        for (const page of pages) {
          // An event sent while the page navigates is lost, as with webContents.send.
          page.evaluate(([channel, args]) => (window as unknown as { __pieAuditIpcEmit: (c: unknown, a: unknown) => number }).__pieAuditIpcEmit(channel, args), [message.channel, message.args] as const).catch(() => {});
        }
      }
    });
  });
  const { origin, loadedUrls } = await ready;
  const preloadSource = fs.readFileSync(PRELOAD_BUNDLE, 'utf8');

  const invoke = (channel: string, args: unknown[], frameUrl: string): Promise<{ result?: unknown; error?: string }> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ type: 'invoke', id, channel, args, frameUrl }, (error) => {
        if (error) {
          pending.delete(id);
          reject(error);
        }
      });
    });

  const contexts = new Set<BrowserContext>();
  return {
    origin,
    loadedUrls,
    savedDir: path.join(dir, 'saved'),
    child,
    events,
    stderr: () => stderr,
    async attach(page) {
      const context = page.context();
      if (!contexts.has(context)) {
        contexts.add(context);
        await context.exposeBinding('__pieAuditIpcInvoke', (source, channel: string, args: unknown[]) => invoke(channel, args, source.frame.url()));
      }
      await page.addInitScript({ content: pageScript(preloadSource) });
      pages.add(page);
      page.once('close', () => pages.delete(page));
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'quit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
