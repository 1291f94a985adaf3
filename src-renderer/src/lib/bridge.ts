/**
 * What the Electron preload exposes as window.pieAudit (src-main/app/preload.ts).
 * In a browser the property is absent and the HTTP carrier is used instead.
 */
import type { ApiEvent, ApiResult } from '../../../src-main/core/api/contract.ts';

export interface PieAuditBridge {
  call(method: string, payload: unknown): Promise<ApiResult>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

declare global {
  interface Window {
    pieAudit?: PieAuditBridge;
  }
}

export function electronBridge(): PieAuditBridge | undefined {
  return typeof window === 'undefined' ? undefined : window.pieAudit;
}
