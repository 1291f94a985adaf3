/**
 * Issue 7, item 4: the Electron hardening checklist, checked on the BUILT bundles
 * (out/main/index.js, out/preload/preload.cjs, out/renderer), not on source text.
 *
 * The Electron binary cannot run here, so the main bundle runs in plain Node with
 * `electron` swapped for a recording stub (test/helpers/electron-stub): the app opens a
 * temporary database, installs its hardening, registers IPC and creates its window;
 * the stub then drives every handler it was given with hostile input and reports what
 * happened. The preload runs in a vm context with the `require` a sandboxed preload has.
 *
 * Needs `npm run build` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CHANNEL, APP_SCHEME, EVENT_CHANNEL, RENDERER_URL } from '../../src-main/app/channels.js';
import { APP_VERSION } from '../../src-main/core/version.js';
import { CONTENT_SECURITY_POLICY } from '../../src-main/core/web/csp.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';
import {
  MAIN_BUNDLE,
  PRELOAD_BUNDLE,
  runBuiltMain,
  runBuiltPreload,
  type ContentsProbe,
  type HardeningReport,
  type MainRun,
} from '../helpers/electron-stub/run.js';

const RENDERER_INDEX = path.join(ROOT, 'out', 'renderer', 'index.html');
const EVIL = 'https://evil.example/';

/** "a; b c" -> { a: [], b: ['c'] } (directive names lower-cased). */
function cspDirectives(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

/** Every value of every Content-Security-Policy header, whatever the key's case. */
function cspHeaders(headers: Record<string, string[] | string> | undefined): string[] {
  return Object.entries(headers ?? {})
    .filter(([key]) => key.toLowerCase() === 'content-security-policy')
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value]));
}

function expectLockedDown(contents: ContentsProbe, which: string): void {
  for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview'] as const) {
    expect(contents.navigation[event].listeners, `${which}: no '${event}' listener`).toBeGreaterThan(0);
    expect(contents.navigation[event].prevented, `${which}: '${event}' to ${EVIL} was not prevented`).toBe(true);
  }
  expect(contents.windowOpen, `${which}: window.open(${EVIL}) was not denied`).toEqual({ action: 'deny' });
}

describe('Electron hardening of the built app', () => {
  const dir = tempDir('pie-audit-electron-');
  let run: MainRun;

  beforeAll(async () => {
    for (const file of [MAIN_BUNDLE, PRELOAD_BUNDLE, RENDERER_INDEX]) {
      if (!fs.existsSync(file)) {
        throw new Error(`${path.relative(ROOT, file)} does not exist: run \`npm run build\` before this test`);
      }
    }
    run = await runBuiltMain(dir, RENDERER_URL);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The probe's report, or a failure that says why the built app never got that far. */
  function report(): HardeningReport {
    if (!run.report || run.report.error) {
      const why = run.report?.error ?? 'it wrote no report';
      const stderr = run.stderr.trim().split('\n').slice(0, 12).join('\n');
      throw new Error(
        `out/main/index.js did not reach its window under the Electron stub (exit code ${run.code}): ${why}\n--- stderr ---\n${stderr}`,
      );
    }
    return run.report;
  }

  it('starts from the built bundle and opens exactly one window on the app:// renderer', () => {
    const { windows, errorBoxes } = report();
    expect(errorBoxes).toEqual([]);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.loadedUrls).toEqual([RENDERER_URL]);
  });

  it('creates the window with contextIsolation, sandbox and webSecurity on, nodeIntegration off', () => {
    const prefs = report().windows[0]!.options.webPreferences ?? {};
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).not.toBe(true);
    expect(prefs.nodeIntegrationInSubFrames).not.toBe(true);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).not.toBe(true);
    expect(prefs.webviewTag).not.toBe(true);
    // The preload is the CommonJS build (a sandboxed renderer cannot load an ESM preload).
    expect(prefs.preload).toBe(PRELOAD_BUNDLE);
  });

  it('has no remote module', () => {
    const prefs = report().windows[0]!.options.webPreferences ?? {};
    expect(prefs.enableRemoteModule).not.toBe(true);
    for (const bundle of [MAIN_BUNDLE, PRELOAD_BUNDLE]) {
      expect(fs.readFileSync(bundle, 'utf8'), path.relative(ROOT, bundle)).not.toMatch(/@electron\/remote|enableRemoteModule\s*:\s*true/);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect({ ...pkg.dependencies, ...pkg.optionalDependencies }).not.toHaveProperty('@electron/remote');
  });

  it('prevents navigation, redirects and <webview>, and denies window.open, for the window and any later webContents', () => {
    const { windows, otherContents } = report();
    expectLockedDown(windows[0]!.contents, 'main window');
    expectLockedDown(otherContents, 'a webContents created later');
  });

  it('denies every permission request and permission check', () => {
    const { request, check } = report().permissions;
    for (const [permission, granted] of Object.entries(request)) expect(granted, `request for ${permission}`).toBe(false);
    for (const [permission, granted] of Object.entries(check)) expect(granted, `check of ${permission}`).toBe(false);
  });

  it('sets the strict CSP (no unsafe-inline or unsafe-eval for scripts) on every response, replacing a page’s own', () => {
    const scriptSrc = cspDirectives(CONTENT_SECURITY_POLICY).get('script-src');
    expect(scriptSrc, 'CONTENT_SECURITY_POLICY has no script-src').toBeDefined();
    for (const weak of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:']) expect(scriptSrc).not.toContain(weak);

    const { headers } = report();
    expect(headers.length, 'no session.webRequest.onHeadersReceived listener').toBeGreaterThan(0);
    for (const { url, response } of headers) {
      expect(response, `onHeadersReceived for ${url}`).not.toBe('not answered');
      if (response === 'not answered') continue;
      expect(response.cancel).not.toBe(true);
      expect(cspHeaders(response.responseHeaders), `CSP header for ${url}`).toEqual([CONTENT_SECURITY_POLICY]);
    }
  });

  it('serves a renderer that works under that CSP: no inline scripts or inline event handlers', () => {
    const html = fs.readFileSync(RENDERER_INDEX, 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) expect(tag, 'inline <script> (blocked by script-src)').toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('registers app:// as a secure standard scheme that does not bypass the CSP', () => {
    const schemes = report().privilegedSchemes;
    const app = schemes.find((s) => s.scheme === APP_SCHEME);
    expect(app, `${APP_SCHEME}:// is not registered as privileged`).toBeDefined();
    expect(app!.privileges?.standard).toBe(true);
    expect(app!.privileges?.secure).toBe(true);
    for (const scheme of schemes) expect(scheme.privileges?.bypassCSP, `${scheme.scheme}:// bypassCSP`).not.toBe(true);
  });

  it('installs every guard before the window loads its page', () => {
    const { timeline } = report();
    const load = timeline.indexOf('BrowserWindow.loadURL');
    expect(load).toBeGreaterThan(-1);
    for (const step of [
      'app.on:web-contents-created',
      'session.setPermissionRequestHandler',
      'session.setPermissionCheckHandler',
      'session.webRequest.onHeadersReceived',
      `protocol.handle:${APP_SCHEME}`,
      `ipcMain.handle:${API_CHANNEL}`,
    ]) {
      const at = timeline.indexOf(step);
      expect(at, `${step} never happened`).toBeGreaterThan(-1);
      expect(at, `${step} happens after the page starts loading`).toBeLessThan(load);
    }
  });

  it('answers IPC only on the API channel, and only for its own renderer frame', () => {
    const { handled, listeners, calls } = report().ipc;
    expect(handled).toEqual([API_CHANNEL]);
    expect(listeners, 'ipcMain.on/once listeners are not covered by the sender check').toEqual([]);

    const infoCalls = calls.filter((c) => c.method === 'app.info');
    const foreign = infoCalls.filter((c) => c.senderUrl !== RENDERER_URL);
    expect(foreign.length).toBeGreaterThanOrEqual(5);
    for (const call of foreign) {
      expect(call.threw, `call from ${call.senderUrl}`).toBeUndefined();
      expect(call.result, `call from ${call.senderUrl} was answered`).toMatchObject({ ok: false, failure: { kind: 'bad-request' } });
    }
    const own = infoCalls.find((c) => c.senderUrl === RENDERER_URL);
    expect(own?.result).toMatchObject({ ok: true, value: { version: APP_VERSION, carrier: 'electron' } });
  });

  it('answers malformed calls from its own renderer with a bad-request failure, never an exception', () => {
    const malformed = report().ipc.calls.filter((c) => c.senderUrl === RENDERER_URL && c.method !== 'app.info');
    expect(malformed.length).toBeGreaterThanOrEqual(3);
    for (const call of malformed) {
      const what = `method ${JSON.stringify(call.method)}`;
      expect(call.threw, `${what} made the IPC handler throw`).toBeUndefined();
      expect(call.result, what).toMatchObject({ ok: false, failure: { kind: 'bad-request' } });
    }
  });

  it('answers 10,000 fuzzed IPC calls from its own renderer without throwing', () => {
    const fuzz = report().ipc.fuzz;
    expect(fuzz.calls).toBeGreaterThanOrEqual(10_000);
    expect(fuzz.firstProblem).toBeNull();
    expect(fuzz.threw).toBe(0);
    expect(fuzz.ok + fuzz.badRequest).toBe(fuzz.calls);
    console.log(`IPC fuzz: ${fuzz.calls} calls, ${fuzz.ok} answered, ${fuzz.badRequest} refused as bad requests, ${fuzz.threw} threw`);
  });

  it('serves app://renderer/ with the CSP and refuses paths outside the renderer folder', () => {
    const requests = report().protocol;
    expect(requests.filter((r) => r.expect === 'served').length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.expect === 'refused').length).toBeGreaterThan(5);
    const mainStart = fs.readFileSync(MAIN_BUNDLE, 'utf8').slice(0, 40);
    for (const request of requests) {
      const what = `${request.method} ${request.url}`;
      expect(request.threw, what).toBeUndefined();
      expect(request.csp, `CSP on ${what}`).toBe(CONTENT_SECURITY_POLICY);
      if (request.expect === 'served') {
        expect(request.status, what).toBe(200);
      } else {
        expect(request.status, `${what} was not refused`).toBeGreaterThanOrEqual(400);
        expect(request.bodyStart, what).not.toContain(mainStart);
      }
    }
  });

  it('preload exposes only window.pieAudit = { call, onEvent }, wired to the API and event channels', () => {
    const preload = runBuiltPreload();
    expect(preload.required.filter((id) => id !== 'electron'), 'modules a sandboxed preload cannot load').toEqual([]);
    expect(preload.exposed.map((e) => e.key)).toEqual(['pieAudit']);
    const api = preload.exposed[0]!.api;
    expect(Object.keys(api).sort()).toEqual(['call', 'onEvent']);
    for (const value of Object.values(api)) expect(typeof value).toBe('function');

    const { call, onEvent } = api as { call: (method: unknown, payload: unknown) => Promise<unknown>; onEvent: (listener: unknown) => () => void };
    void call('app.info', {});
    const unsubscribe = onEvent(() => {});
    unsubscribe();
    expect(() => onEvent('not a function')).toThrow(/needs a function/);
    expect(preload.ipc.map(({ method, channel }) => [method, channel])).toEqual([
      ['invoke', API_CHANNEL],
      ['on', EVENT_CHANNEL],
      ['removeListener', EVENT_CHANNEL],
    ]);
    expect(preload.ipc[0]!.args).toEqual(['app.info', {}]);
  });
});
