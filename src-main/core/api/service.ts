import type { Db } from '../db/database.js';
import { addKnownIdxDataset } from '../datasets/add.js';
import { listDatasets } from '../datasets/store.js';
import { UserError, errorMessage } from '../errors.js';
import { APP_VERSION } from '../version.js';
import {
  apiContract,
  isApiMethod,
  type ApiEvent,
  type ApiFailure,
  type ApiMethod,
  type ApiRequest,
  type ApiResponse,
} from './contract.js';

type Handlers = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> | ApiResponse<M> };

export type ApiResult = { ok: true; value: unknown } | { ok: false; failure: ApiFailure };

/**
 * The API implemented once, over one open database. Carriers call `call` with the
 * method name and the untrusted payload; it validates, runs, and never throws.
 */
export class ApiService {
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly handlers: Handlers;

  constructor(
    private readonly db: Db,
    private readonly context: { databasePath: string; carrier: 'electron' | 'http' },
  ) {
    this.handlers = {
      'app.info': () => ({ version: APP_VERSION, ...this.context }),
      'datasets.list': () => listDatasets(this.db),
      'datasets.addKnown': async (request) => {
        const summary = await addKnownIdxDataset(this.db, request.kind, {
          name: request.name,
          onDownload: (p) => this.emit({ type: 'download.progress', ...p }),
        });
        this.emit({ type: 'datasets.changed' });
        return summary;
      },
    };
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ApiEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  async call(method: unknown, payload: unknown): Promise<ApiResult> {
    if (!isApiMethod(method)) {
      return { ok: false, failure: { kind: 'bad-request', error: `unknown API method ${JSON.stringify(String(method)).slice(0, 80)}` } };
    }
    const parsed = apiContract[method].request.safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'request';
      return { ok: false, failure: { kind: 'bad-request', error: `${method}: invalid ${where}: ${issue?.message ?? 'bad payload'}` } };
    }
    try {
      // The handler table is indexed by the validated method; TypeScript cannot
      // correlate the union of handlers with the union of requests.
      const handler = this.handlers[method] as (request: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof UserError) return { ok: false, failure: { kind: 'bad-request', error: errorMessage(error) } };
      return { ok: false, failure: { kind: 'internal', error: `internal error: ${errorMessage(error)}` } };
    }
  }
}
