import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
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
  let cancelled = false;
  const { workers: _workers, onEvent, signal, ...rest } = options;
  // Raised to stop every worker after its current batch: a worker terminated inside an
  // ONNX Runtime call aborts the whole process, so workers are only ever ended idle.
  const stop = new SharedArrayBuffer(4);
  const workerOptions: ModelWorkerOptions = { ...rest, stop };
  let failure: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let active = 0;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (failure) reject(failure);
      else resolve();
    };
    /** No new models; the running ones stop after their batch, then the run ends. */
    const halt = (error?: Error): void => {
      failure ??= error;
      cancelled = true;
      Atomics.store(new Int32Array(stop), 0, 1);
      if (active === 0) finish();
    };
    const dispatch = (worker: Worker): void => {
      const model = cancelled ? undefined : queue.shift();
      if (!model) {
        if (active === 0) finish();
        return;
      }
      active++;
      const { variant: _v, seed: _s, ...job } = model;
      worker.postMessage({ type: 'job', job } satisfies ToModelWorker);
      onEvent?.({ type: 'model-started', model });
    };
    signal?.addEventListener('abort', () => halt());
    if (models.length === 0) {
      finish();
      return;
    }
    for (let i = 0; i < workerCount; i++) {
      const worker = new Worker(BOOTSTRAP, { workerData: { entry: WORKER_ENTRY, options: workerOptions } });
      workers.push(worker);
      worker.on('message', (message: FromModelWorker) => {
        try {
          if (message.type === 'ready') return dispatch(worker);
          const model = byId.get(message.modelId);
          if (!model) return;
          if (message.type === 'progress') {
            onEvent?.({ type: 'model-progress', model, done: message.done, total: message.total });
            return;
          }
          active--;
          if (message.type === 'done') {
            const p = message.predictions;
            let correct = 0;
            for (let i = 0; i < p.predicted.length; i++) if (p.predicted[i] === labels[i]) correct++;
            const top1 = correct / p.predicted.length;
            results.set(model.modelId, {
              modelId: model.modelId,
              backend: message.runtime,
              measuredSparsity: message.measuredSparsity,
              top1,
              weightsPath: model.file,
              ...p,
            });
            done++;
            onEvent?.({ type: 'model-done', model, top1, measuredSparsity: message.measuredSparsity, seconds: message.seconds, runtime: message.runtime });
          } else if (message.type === 'failed') {
            if (message.userError) {
              // the model's own output is bad: the run's one error line says so
              halt(new UserError(message.message));
              return;
            }
            failed++;
            failedIds.push(model.modelId);
            onEvent?.({ type: 'model-failed', model, message: message.message });
          }
          dispatch(worker);
        } catch (error) {
          halt(error as Error);
        }
      });
      worker.on('error', (error) => {
        // a worker that died is not running anything any more
        failure ??= new Error(`inference worker failed: ${error.message}`);
        finish();
      });
    }
  });
  return { done, failed, cancelled, seconds: (performance.now() - started) / 1000, results, failedIds };
}
