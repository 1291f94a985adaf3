/**
 * Host mode of the Electron stub (PIE_AUDIT_STUB_MODE=host): the built main bundle keeps
 * running, and a real Chromium page (driven by test/helpers/electron-stub/host.ts) talks
 * to it the way Electron's renderer would:
 *
 * - the page's files and images come from the app's own app:// protocol handler, reached
 *   over a 127.0.0.1 HTTP server that forwards each request to it unchanged (path, method,
 *   the handler's status, CSP and body), because Chromium cannot load app:// here;
 * - IPC: the parent sends {type:'invoke'} messages; each goes to the handler the app gave
 *   ipcMain.handle, with the page's frame URL mapped back to app://renderer/..., and the
 *   answer goes back. The channel to the parent is Node's "advanced" serialization, i.e.
 *   the structured clone algorithm, as Electron's IPC;
 * - events: webContents.send (electron.mjs) becomes an {type:'event'} message.
 */
import http from 'node:http';

export const hostMode = process.env.PIE_AUDIT_STUB_MODE === 'host';

const RENDERER_ORIGIN = 'app://renderer';

/** The page's URL as the app would see it in Electron: same path on app://renderer. */
function asRendererUrl(frameUrl, origin) {
  if (typeof frameUrl !== 'string') return frameUrl;
  return frameUrl === origin || frameUrl.startsWith(`${origin}/`) ? RENDERER_ORIGIN + (frameUrl.slice(origin.length) || '/') : frameUrl;
}

async function forward(handler, req, res) {
  const request = new Request(RENDERER_ORIGIN + req.url, { method: req.method });
  const response = await handler(request);
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(body);
}

/** Starts serving once the app has registered its protocol and IPC handlers and made its window. */
export async function startHost(recorded) {
  if (typeof process.send !== 'function') throw new Error('host mode needs an IPC channel to its parent (child_process.fork)');
  const protocolHandler = recorded.protocolHandlers.get('app');
  if (!protocolHandler) throw new Error('the app registered no app:// protocol handler');
  const server = http.createServer((req, res) => {
    forward(protocolHandler, req, res).catch((error) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`the app:// handler threw: ${error?.message ?? error}`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const sender = recorded.windows[0].window.webContents;

  process.on('message', async (message) => {
    if (message?.type === 'quit') {
      server.close();
      process.exit(0);
    }
    if (message?.type !== 'invoke') return;
    const { id, channel, args, frameUrl } = message;
    const handler = recorded.ipcHandlers.get(channel);
    const reply = (answer) => {
      try {
        process.send({ type: 'reply', id, ...answer });
      } catch (error) {
        // A result that cannot be cloned fails in Electron too.
        process.send({ type: 'reply', id, error: `the answer could not be cloned: ${error?.message ?? error}` });
      }
    };
    if (!handler) return reply({ error: `No handler registered for '${channel}'` });
    const url = asRendererUrl(frameUrl, origin);
    const event = { sender, senderFrame: url === null ? null : { url, name: '', routingId: 1, processId: 1 }, frameId: 1, processId: 1 };
    try {
      reply({ result: await handler(event, ...args) });
    } catch (error) {
      reply({ error: String(error?.message ?? error) });
    }
  });
  process.send({ type: 'ready', origin, loadedUrls: recorded.windows[0].loadedUrls });
}
