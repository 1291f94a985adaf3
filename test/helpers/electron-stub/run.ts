/**
 * Runs the BUILT Electron bundles without Electron:
 *
 * - runBuiltMain: `node --import register.mjs out/main/index.js` in a child process; the
 *   loader hook swaps `electron` for the recording stub (electron.mjs), probe.mjs drives
 *   the handlers the app installed, and the JSON report it writes is returned.
 * - runBuiltPreload: evaluates out/preload/preload.cjs in a fresh vm context with the
 *   `require` a sandboxed Electron preload gets, recording what it exposes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../cli.js';
import { apiMethods } from '../../../src-main/core/api/contract.js';

export const MAIN_BUNDLE = path.join(ROOT, 'out', 'main', 'index.js');
export const PRELOAD_BUNDLE = path.join(ROOT, 'out', 'preload', 'preload.cjs');
const REGISTER = path.join(ROOT, 'test', 'helpers', 'electron-stub', 'register.mjs');

export interface NavigationProbe {
  listeners: number;
  prevented: boolean;
}

export interface ContentsProbe {
  navigation: Record<'will-navigate' | 'will-redirect' | 'will-attach-webview', NavigationProbe>;
  windowOpen: { action?: string } | null;
}

export interface IpcCall {
  channel: string;
  senderUrl: string | null;
  method: unknown;
  payload: unknown;
  result?: { ok: boolean; value?: unknown; failure?: { kind: string; error: string } };
  threw?: string;
}

export interface ProtocolProbe {
  scheme: string;
  url: string;
  requestUrl: string;
  method: string;
  expect: 'served' | 'refused';
  status?: number;
  csp?: string | null;
  bodyStart?: string;
  threw?: string;
}

/** The JSON written by probe.mjs (or, if the app stopped early, just error + timeline). */
export interface HardeningReport {
  error?: string;
  timeline: string[];
  privilegedSchemes: { scheme: string; privileges?: Record<string, boolean> }[];
  windows: { options: { webPreferences?: Record<string, unknown> } & Record<string, unknown>; loadedUrls: string[]; contents: ContentsProbe }[];
  otherContents: ContentsProbe;
  permissions: { request: Record<string, unknown>; check: Record<string, unknown> };
  headers: { url: string; response: { cancel?: boolean; responseHeaders?: Record<string, string[] | string> } | 'not answered' }[];
  ipc: { handled: string[]; listeners: string[]; calls: IpcCall[]; fuzz: { calls: number; threw: number; ok: number; badRequest: number; other: number; firstProblem: unknown } };
  protocol: ProtocolProbe[];
  errorBoxes: { title: string; content: string }[];
}

export interface MainRun {
  report: HardeningReport | undefined;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts out/main/index.js against the stub; `dir` holds the database and the report. */
export function runBuiltMain(dir: string, trustedUrl: string): Promise<MainRun> {
  const reportFile = path.join(dir, 'hardening-report.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(REGISTER).href, MAIN_BUNDLE], {
      cwd: ROOT,
      env: {
        ...process.env,
        // the API's method names, for the IPC fuzz (the stub runs plain JavaScript)
        PIE_AUDIT_STUB_METHODS: JSON.stringify(apiMethods),
        PIE_AUDIT_DB: path.join(dir, 'electron.db'),
        PIE_AUDIT_DATA_DIR: path.join(dir, 'data'),
        PIE_AUDIT_CACHE_DIR: path.join(dir, 'cache'),
        PIE_AUDIT_STUB_DIR: dir,
        PIE_AUDIT_STUB_REPORT: reportFile,
        PIE_AUDIT_STUB_TRUSTED_URL: trustedUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const report = fs.existsSync(reportFile) ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as HardeningReport) : undefined;
      resolve({ report, code, stdout, stderr });
    });
  });
}

export interface PreloadRun {
  /** Every contextBridge.exposeInMainWorld(key, api) call. */
  exposed: { key: string; api: Record<string, unknown> }[];
  /** Every module the preload asked `require` for. */
  required: string[];
  /** ipcRenderer.invoke / on / removeListener calls, in order. */
  ipc: { method: string; channel: string; args: unknown[] }[];
}

/**
 * A sandboxed preload may require only these (Electron docs, "Process Sandboxing");
 * anything else throws, as it would in the real renderer.
 */
const SANDBOX_MODULES = new Set(['electron', 'events', 'timers', 'url']);

export function runBuiltPreload(file = PRELOAD_BUNDLE): PreloadRun {
  const run: PreloadRun = { exposed: [], required: [], ipc: [] };
  const record =
    (method: string) =>
    (channel: string, ...args: unknown[]): Promise<void> => {
      run.ipc.push({ method, channel, args });
      return Promise.resolve();
    };
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: Record<string, unknown>) => run.exposed.push({ key, api }),
    },
    ipcRenderer: { invoke: record('invoke'), on: record('on'), once: record('once'), removeListener: record('removeListener'), send: record('send') },
  };
  const sandboxRequire = (id: string): unknown => {
    run.required.push(id);
    if (!SANDBOX_MODULES.has(id)) throw new Error(`module not found: ${id} (a sandboxed preload cannot require it)`);
    if (id !== 'electron') throw new Error(`the stub does not provide ${id}`);
    return electron;
  };
  const module = { exports: {} };
  const source = fs.readFileSync(file, 'utf8');
  const wrapper = vm.runInNewContext(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { console, setTimeout, clearTimeout }, { filename: file }) as (
    ...args: unknown[]
  ) => void;
  wrapper(module.exports, sandboxRequire, module, file, path.dirname(file));
  return run;
}
