/**
 * The Electron carrier's seam (window.pieAudit) held by a test: each call waits until the
 * test answers it, so a test decides the order answers arrive in; events are pushed by hand.
 * The state classes under test run unchanged on top of it.
 */
import type { ApiEvent, ApiResult } from '../../src-main/core/api/contract.ts';

export interface OpenCall {
  method: string;
  payload: unknown;
  answer(value: unknown): void;
  fail(error: string): void;
}

export class BridgeDouble {
  readonly calls: OpenCall[] = [];
  readonly #listeners = new Set<(event: ApiEvent) => void>();

  install(): void {
    window.pieAudit = {
      call: (method, payload) =>
        new Promise<ApiResult>((resolve) => {
          this.calls.push({
            method,
            payload,
            answer: (value) => resolve({ ok: true, value } as ApiResult),
            fail: (error) => resolve({ ok: false, failure: { error, kind: 'bad-request' } }),
          });
        }),
      onEvent: (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
    };
  }

  uninstall(): void {
    delete window.pieAudit;
  }

  /** The oldest unanswered call of a method (answered calls are removed). */
  take(method: string): OpenCall {
    const i = this.calls.findIndex((c) => c.method === method);
    const found = this.calls[i];
    if (!found) throw new Error(`no open call of ${method} (open: ${this.calls.map((c) => c.method).join(', ') || 'none'})`);
    this.calls.splice(i, 1);
    return found;
  }
}

/** Lets the promise chains of answered calls run to their end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
