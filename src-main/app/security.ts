/**
 * Session and webContents hardening, applied before any window exists:
 * no permissions, no navigation away from the renderer, no new windows, no
 * <webview>, and the strict CSP header on every response the session sees.
 */
import { app, session } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../core/web/csp.js';

export function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // The app:// handler already sets the header; this covers anything else (http(s)
  // never should load, but if it does, it gets the same policy).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
}

export function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
