/**
 * Drives the handlers the built app gave to the Electron stub, the way a hostile page
 * (or a bug) would, and returns what they did as plain JSON. The assertions live in
 * test/integration/electron-hardening.test.ts; this file only observes.
 */

const EVIL = 'https://evil.example/';

/** Sender frames that are not our renderer: each must be refused by every IPC handler. */
const FOREIGN_SENDERS = [
  EVIL,
  'file:///tmp/evil.html',
  'http://127.0.0.1:5173/index.html',
  'app://evil.example/index.html',
  'app://renderer.evil.example/index.html',
  'about:blank',
  null, // senderFrame is null when the frame is gone
];

const PERMISSIONS = ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'pointerLock', 'hid', 'serial', 'usb'];

/**
 * Requests to the app:// handler. `expect` documents the intent; the test asserts it.
 * URLs go through WHATWG parsing (as in Electron, the scheme being "standard"), so a
 * literal ../ is normalised away; the encoded forms reach the handler as written.
 * out/main/index.js and out/preload/preload.cjs exist next to out/renderer, so a
 * traversal that worked would really return a file.
 */
const PROTOCOL_REQUESTS = [
  { url: 'app://renderer/index.html', expect: 'served' },
  { url: 'app://renderer/', expect: 'served' },
  { url: 'app://renderer/../../etc/passwd', expect: 'refused' },
  { url: 'app://renderer/..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd', expect: 'refused' },
  { url: 'app://renderer/..%2Fmain%2Findex.js', expect: 'refused' },
  { url: 'app://renderer/%2e%2e%2fpreload%2fpreload.cjs', expect: 'refused' },
  { url: 'app://renderer/..%5Cmain%5Cindex.js', expect: 'refused' },
  { url: 'app://renderer/%252e%252e%252fmain%252findex.js', expect: 'refused' },
  { url: 'app://renderer/image/..%2F..%2Fmain%2Findex.js', expect: 'refused' },
  { url: 'app://renderer/%2Fetc%2Fpasswd', expect: 'refused' },
  { url: 'app://evil.example/index.html', expect: 'refused' },
  { url: 'app://renderer/index.html', method: 'POST', expect: 'refused' },
];

/** An Electron-like event whose preventDefault() is observable. */
function preventable(extra = {}) {
  const event = {
    ...extra,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

/** What a webContents does with navigation, redirects, <webview> and window.open. */
function probeContents(contents) {
  const navigation = {};
  const fire = (name, ...args) => {
    const event = preventable({ url: EVIL, isMainFrame: true });
    const listeners = contents.listenerCount(name);
    contents.emit(name, event, ...args);
    navigation[name] = { listeners, prevented: event.defaultPrevented };
  };
  fire('will-navigate', EVIL, false, true);
  fire('will-redirect', EVIL, false, true);
  fire('will-attach-webview', { preload: '/tmp/evil.js', nodeIntegration: true }, { src: EVIL });

  let windowOpen = null;
  if (contents.windowOpenHandler) {
    windowOpen = contents.windowOpenHandler({
      url: EVIL,
      frameName: '',
      features: '',
      disposition: 'new-window',
      referrer: { url: '', policy: 'default' },
    });
  }
  return { navigation, windowOpen };
}

/** The value the permission request handler passes to its callback (or why none). */
function askPermission(handler, contents, permission, requestingUrl) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('not answered'), 1000);
    handler(contents, permission, (granted) => {
      clearTimeout(timer);
      resolve(granted);
    }, { requestingUrl, isMainFrame: true });
  });
}

async function probePermissions(recorded, contents, trustedUrl) {
  const request = {};
  const check = {};
  for (const permission of PERMISSIONS) {
    request[permission] = recorded.permissionRequestHandler
      ? await askPermission(recorded.permissionRequestHandler, contents, permission, trustedUrl)
      : 'no handler';
    check[permission] = recorded.permissionCheckHandler
      ? recorded.permissionCheckHandler(contents, permission, new URL(trustedUrl).origin, { requestingUrl: trustedUrl, isMainFrame: true })
      : 'no handler';
  }
  return { request, check };
}

/** The response headers each onHeadersReceived listener produces, for ours and a foreign page. */
async function probeHeaders(recorded, trustedUrl) {
  const responses = [
    { url: trustedUrl, responseHeaders: { 'Content-Type': ['text/html'] } },
    // A foreign page that brings its own lax policy: the app's must replace it.
    { url: EVIL, responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': ["script-src * 'unsafe-inline' 'unsafe-eval'"] } },
  ];
  const results = [];
  for (const listener of recorded.headersReceivedListeners) {
    for (const details of responses) {
      const response = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve('not answered'), 1000);
        listener({ id: 1, method: 'GET', resourceType: 'mainFrame', statusCode: 200, statusLine: 'HTTP/1.1 200 OK', ...details }, (value) => {
          clearTimeout(timer);
          resolve(value ?? {});
        });
      });
      results.push({ url: details.url, response });
    }
  }
  return results;
}

/** Calls every ipcMain.handle handler as foreign frames and as our renderer. */
async function probeIpc(recorded, sender, trustedUrl) {
  const calls = [];
  const invoke = async (channel, handler, senderUrl, method, payload) => {
    const event = {
      sender,
      senderFrame: senderUrl === null ? null : { url: senderUrl, name: '', routingId: 1, processId: 1 },
      frameId: 1,
      processId: 1,
    };
    const call = { channel, senderUrl, method, payload };
    try {
      call.result = await handler(event, method, payload);
    } catch (error) {
      call.threw = String(error?.message ?? error);
    }
    calls.push(call);
  };
  for (const [channel, handler] of recorded.ipcHandlers) {
    for (const senderUrl of FOREIGN_SENDERS) await invoke(channel, handler, senderUrl, 'app.info', {});
    await invoke(channel, handler, trustedUrl, 'app.info', {});
    // Our own renderer is still untrusted input: unknown methods must be refused, not thrown.
    await invoke(channel, handler, trustedUrl, 'no.such.method', {});
    await invoke(channel, handler, trustedUrl, '__proto__', {});
    await invoke(channel, handler, trustedUrl, { toString: null }, null);
  }
  return { handled: [...recorded.ipcHandlers.keys()], listeners: recorded.ipcListeners, calls, fuzz: await fuzzIpc(recorded, sender, trustedUrl) };
}

/**
 * 10,000 random and malformed calls from our own renderer (fast-check, fixed seed):
 * method names real and junk, payloads of any shape. None may throw; each answer is a
 * value or a bad-request failure.
 */
async function fuzzIpc(recorded, sender, trustedUrl) {
  const { default: fc } = await import('fast-check');
  const apiMethods = JSON.parse(process.env.PIE_AUDIT_STUB_METHODS ?? '["app.info"]');
  const methods = fc.oneof(fc.constantFrom(...apiMethods), fc.string({ maxLength: 30 }), fc.anything({ maxDepth: 2 }));
  const inputs = fc.sample(fc.tuple(methods, fc.anything({ maxDepth: 3 })), { numRuns: 10_000, seed: 20261127 });
  const summary = { calls: 0, threw: 0, ok: 0, badRequest: 0, other: 0, firstProblem: null };
  for (const [channel, handler] of recorded.ipcHandlers) {
    for (const [method, payload] of inputs) {
      summary.calls++;
      const event = { sender, senderFrame: { url: trustedUrl, name: '', routingId: 1, processId: 1 }, frameId: 1, processId: 1 };
      try {
        const result = await handler(event, method, payload);
        if (result?.ok === true) summary.ok++;
        else if (result?.ok === false && result.failure?.kind === 'bad-request') summary.badRequest++;
        else {
          summary.other++;
          summary.firstProblem ??= { channel, method: String(method).slice(0, 60), result: JSON.stringify(result).slice(0, 200) };
        }
      } catch (error) {
        summary.threw++;
        summary.firstProblem ??= { channel, method: String(method).slice(0, 60), threw: String(error?.message ?? error) };
      }
    }
  }
  return summary;
}

/** Status, CSP and the start of the body for each app:// request. */
async function probeProtocol(recorded) {
  const results = [];
  for (const [scheme, handler] of recorded.protocolHandlers) {
    for (const { url, method = 'GET', expect } of PROTOCOL_REQUESTS) {
      if (!url.startsWith(`${scheme}:`)) continue;
      const request = new Request(url, { method });
      const entry = { scheme, url, requestUrl: request.url, method, expect };
      try {
        const response = await handler(request);
        const body = await response.text();
        Object.assign(entry, { status: response.status, csp: response.headers.get('content-security-policy'), bodyStart: body.slice(0, 80) });
      } catch (error) {
        entry.threw = String(error?.message ?? error);
      }
      results.push(entry);
    }
  }
  return results;
}

/**
 * @param recorded what electron.mjs captured
 * @param {{ trustedUrl: string, WebContents: new () => object, app: import('node:events').EventEmitter }} env
 */
export async function probe(recorded, { trustedUrl, WebContents, app }) {
  const windows = recorded.windows.map(({ window, options, loadedUrls }) => ({
    options,
    loadedUrls,
    contents: probeContents(window.webContents),
  }));
  // Any later webContents (a popup, devtools, a <webview> guest) must get the same rules.
  const other = new WebContents();
  app.emit('web-contents-created', preventable(), other);
  const mainContents = recorded.windows[0].window.webContents;

  return {
    timeline: recorded.timeline,
    privilegedSchemes: recorded.privilegedSchemes,
    windows,
    otherContents: probeContents(other),
    permissions: await probePermissions(recorded, mainContents, trustedUrl),
    headers: await probeHeaders(recorded, trustedUrl),
    ipc: await probeIpc(recorded, mainContents, trustedUrl),
    protocol: await probeProtocol(recorded),
    errorBoxes: recorded.errorBoxes,
  };
}
