/**
 * Names shared by the main process and the preload. Kept free of imports so the
 * preload bundle (CommonJS, sandboxed) pulls in nothing else.
 */

/** ipcMain.handle channel: (method, payload) -> ApiResult. */
export const API_CHANNEL = 'pie-audit:api';

/** webContents.send channel: one ApiEvent per message. */
export const EVENT_CHANNEL = 'pie-audit:event';

/** The custom scheme that serves the built renderer (app://renderer/index.html). */
export const APP_SCHEME = 'app';
export const RENDERER_HOST = 'renderer';
export const RENDERER_URL = `${APP_SCHEME}://${RENDERER_HOST}/index.html`;

/** True when url is a page of our renderer (and not some other origin or scheme). */
export function isRendererUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === RENDERER_HOST;
  } catch {
    return false;
  }
}
