/**
 * IPC wiring: one invoke channel for every API call, one push channel for events.
 * The payload is untrusted: ApiService.call validates it against the contract. Calls
 * are answered only for our own renderer's frame (app://renderer/...), so a page that
 * somehow got into a webContents cannot reach the database.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { ApiResult } from '../core/api/contract.js';
import type { ApiService } from '../core/api/service.js';
import { API_CHANNEL, EVENT_CHANNEL, isRendererUrl } from './channels.js';

export function registerApiIpc(service: ApiService, target: () => WebContents | undefined): () => void {
  ipcMain.handle(API_CHANNEL, async (event: IpcMainInvokeEvent, method: unknown, payload: unknown): Promise<ApiResult> => {
    const frameUrl = event.senderFrame?.url ?? '';
    if (!isRendererUrl(frameUrl)) {
      return { ok: false, failure: { kind: 'bad-request', error: 'API calls are accepted only from the PIE Audit window' } };
    }
    return service.call(method, payload);
  });

  const off = service.onEvent((apiEvent) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, apiEvent);
  });

  return () => {
    off();
    ipcMain.removeHandler(API_CHANNEL);
  };
}
