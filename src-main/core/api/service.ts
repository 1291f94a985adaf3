import type { Db } from '../db/database.js';
import { addKnownIdxDataset } from '../datasets/add.js';
import { listDatasets } from '../datasets/store.js';
import { UserError, errorMessage } from '../errors.js';
import { trainPopulation, type TrainRequest } from '../population/train.js';
import type { PopulationEvent } from '../population/runner.js';
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
  /** The population run in progress (one at a time: they share the cores). */
  private training: AbortController | undefined;
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
      'train.start': (request) => {
        const { dataset, preset, workers, ...overrides } = request;
        return this.startTraining({ dataset, preset, overrides, workers });
      },
      'train.resume': (request) => this.startTraining({ resume: true, experimentId: request.experimentId, workers: request.workers }),
      'train.cancel': () => {
        const running = this.training !== undefined;
        this.training?.abort();
        return { cancelled: running };
      },
      'train.status': () => ({ running: this.training !== undefined }),
    };
  }

  /**
   * Starts a population run in the background (workers keep this thread free) and
   * streams its progress as events. Answers once the run is under way, or with the
   * reason it could not start (unknown dataset, bad settings).
   */
  private startTraining(request: TrainRequest): Promise<{ started: true; experimentId: number }> {
    if (this.training) throw new UserError('a population run is already in progress; cancel it or wait for it to finish');
    const controller = new AbortController();
    this.training = controller;
    const onEvent = (e: PopulationEvent): void => {
      if (e.type === 'backend') return;
      const model = { modelId: e.model.id, variant: e.model.variant, seed: e.model.seed };
      if (e.type === 'model-progress') this.emit({ type: 'train.progress', ...model, ...e.progress });
      else if (e.type === 'model-done') this.emit({ type: 'train.model-done', ...model, top1: e.top1, measuredSparsity: e.measuredSparsity, seconds: e.seconds });
      else if (e.type === 'model-failed') this.emit({ type: 'train.model-failed', modelId: e.model.id, variant: e.model.variant, message: e.message });
    };
    return new Promise((resolve, reject) => {
      let started = false;
      trainPopulation(this.db, this.context.databasePath, request, onEvent, controller.signal, (experimentId, backend) => {
        started = true;
        this.emit({ type: 'train.started', experimentId, backend });
        resolve({ started: true, experimentId });
      })
        .then((outcome) => this.emit({ type: 'train.finished', experimentId: outcome.experimentId, done: outcome.done, failed: outcome.failed, cancelled: outcome.cancelled, seconds: outcome.seconds }))
        .catch((error: unknown) => {
          if (started) this.emit({ type: 'train.error', message: errorMessage(error) });
          else reject(error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => {
          this.training = undefined;
        });
    });
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
