/**
 * The preload: the renderer's only door to the main process. It exposes exactly
 * `window.pieAudit = { call, onEvent }` and nothing else; payloads are validated in
 * the main process (ApiService), never trusted here. Built as CommonJS (.cjs): a
 * sandboxed renderer cannot load an ESM preload.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, ApiResult } from '../core/api/contract.js';
import { API_CHANNEL, EVENT_CHANNEL } from './channels.js';

const bridge = {
  call(method: string, payload: unknown): Promise<ApiResult> {
    return ipcRenderer.invoke(API_CHANNEL, String(method), payload) as Promise<ApiResult>;
  },
  onEvent(listener: (event: ApiEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('pieAudit.onEvent needs a function');
    const forward = (_event: IpcRendererEvent, apiEvent: ApiEvent): void => listener(apiEvent);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('pieAudit', bridge);
