import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { runWorkerPool } from '../workers/pool.js';
import type { ModelResult } from '../population/store.js';
import type { FromModelWorker, ModelJob, ModelWorkerOptions, ToModelWorker } from './jobs.js';

export interface RunnableModel extends ModelJob {
  variant: string;
  seed: number;
}

export type ModelRunEvent =
  | { type: 'model-started'; model: RunnableModel }
  | { type: 'model-progress'; model: RunnableModel; done: number; total: number }
  | { type: 'model-done'; model: RunnableModel; top1: number; measuredSparsity: number; seconds: number; runtime: string }
  | { type: 'model-failed'; model: RunnableModel; message: string };

export interface ModelRunSummary {
  done: number;
  failed: number;
  cancelled: boolean;
  seconds: number;
}

/** What a run produced, nothing of it written yet: the caller stores it once every model is known good. */
export interface ModelRunResults extends ModelRunSummary {
  /** finished models by the job's modelId */
  results: Map<number, ModelResult>;
  /** models that failed for a reason other than their own output (a crashed worker) */
  failedIds: number[];
}

const SOURCE = path.extname(new URL(import.meta.url).pathname) === '.ts';
const WORKER_ENTRY = new URL(`./model-worker${SOURCE ? '.ts' : '.js'}`, import.meta.url).href;
// Built, every worker file sits beside the main bundle; from the sources, training's bootstrap is reused.
const BOOTSTRAP = new URL(SOURCE ? '../population/worker-bootstrap.js' : './worker-bootstrap.js', import.meta.url);

/**
 * Runs every given model over the shared images in worker threads (one model per
 * worker) and keeps every finished model's predictions in memory (a few bytes per
 * image). Nothing is written here: a model whose output turns bad on a late image
 * (NaN, a wrong width) rejects the whole run with its one-line reason, and the caller,
 * having written nothing, leaves the database as it was.
 */
export async function runModels(
  models: RunnableModel[],
  options: Omit<ModelWorkerOptions, 'stop'> & { workers?: number; onEvent?: (e: ModelRunEvent) => void; signal?: AbortSignal },
): Promise<ModelRunResults> {
  const started = performance.now();
  const queue = [...models];
  const byId = new Map(models.map((m) => [m.modelId, m]));
  const workerCount = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), models.length || 1));
  const labels = new Uint16Array(options.labels);
  const results: ModelRunResults['results'] = new Map();
  const failedIds: number[] = [];
  let done = 0;
  let failed = 0;
  const { workers: _workers, onEvent, signal, ...rest } = options;
  // one Int32 every worker reads between batches
  const stop = new SharedArrayBuffer(4);
  const workerOptions: ModelWorkerOptions = { ...rest, stop };
  if (models.length === 0) return { done, failed, cancelled: false, seconds: (performance.now() - started) / 1000, results, failedIds };

  const { cancelled } = await runWorkerPool<RunnableModel, FromModelWorker>({
    bootstrap: BOOTSTRAP,
    workerData: { entry: WORKER_ENTRY, options: workerOptions },
    size: workerCount,
    signal,
    // a worker terminated inside an ONNX Runtime call aborts the whole process: stop them between batches
    stop: { raise: () => Atomics.store(new Int32Array(stop), 0, 1) },
    nextReady: () => queue.shift(),
    start: (model) => {
      const { variant: _v, seed: _s, ...job } = model;
      onEvent?.({ type: 'model-started', model });
      return { type: 'job', job } satisfies ToModelWorker;
    },
    onMessage: (message) => {
      if (message.type === 'ready') return 'ready';
      if (message.type === 'stopped') return 'stopped';
      const model = byId.get(message.modelId);
      if (message.type === 'progress') {
        if (model) onEvent?.({ type: 'model-progress', model, done: message.done, total: message.total });
        return 'busy';
      }
      if (!model) return 'finished';
      if (message.type === 'failed') {
        // the model's own output is bad: the run's one error line says so
        if (message.userError) throw new UserError(message.message);
        failed++;
        failedIds.push(model.modelId);
        onEvent?.({ type: 'model-failed', model, message: message.message });
        return 'finished';
      }
      const p = message.predictions;
      let correct = 0;
      for (let i = 0; i < p.predicted.length; i++) if (p.predicted[i] === labels[i]) correct++;
      const top1 = correct / p.predicted.length;
      results.set(model.modelId, { modelId: model.modelId, backend: message.runtime, measuredSparsity: message.measuredSparsity, top1, weightsPath: model.file, ...p });
      done++;
      onEvent?.({ type: 'model-done', model, top1, measuredSparsity: message.measuredSparsity, seconds: message.seconds, runtime: message.runtime });
      return 'finished';
    },
    workerError: (error) => new Error(`inference worker failed: ${error.message}`),
  });
  return { done, failed, cancelled, seconds: (performance.now() - started) / 1000, results, failedIds };
}
