import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import { markFailed, markRunning, saveModelResult } from '../population/store.js';
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

const SOURCE = path.extname(new URL(import.meta.url).pathname) === '.ts';
const WORKER_ENTRY = new URL(`./model-worker${SOURCE ? '.ts' : '.js'}`, import.meta.url).href;
// Built, every worker file sits beside the main bundle; from the sources, training's bootstrap is reused.
const BOOTSTRAP = new URL(SOURCE ? '../population/worker-bootstrap.js' : './worker-bootstrap.js', import.meta.url);

/**
 * Runs every given model over the shared images in worker threads (one model per
 * worker) and writes each finished model, with all its predictions, in one transaction
 * from this thread: a run killed at any point leaves whole models only.
 */
export async function runModels(
  db: Db,
  models: RunnableModel[],
  options: ModelWorkerOptions & { workers?: number; onEvent?: (e: ModelRunEvent) => void; signal?: AbortSignal },
): Promise<ModelRunSummary> {
  const started = performance.now();
  const queue = [...models];
  const byId = new Map(models.map((m) => [m.modelId, m]));
  const workerCount = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), models.length || 1));
  const labels = new Uint8Array(options.labels);
  let done = 0;
  let failed = 0;
  let cancelled = false;
  const { workers: _workers, onEvent, signal, ...workerOptions } = options;

  await new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let active = 0;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve();
    };
    const dispatch = (worker: Worker): void => {
      const model = cancelled ? undefined : queue.shift();
      if (!model) {
        if (active === 0) finish();
        return;
      }
      markRunning(db, model.modelId);
      active++;
      const { variant: _v, seed: _s, ...job } = model;
      worker.postMessage({ type: 'job', job } satisfies ToModelWorker);
      onEvent?.({ type: 'model-started', model });
    };
    signal?.addEventListener('abort', () => {
      cancelled = true;
      finish();
    });
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
            if (cancelled) return;
            const p = message.predictions;
            let correct = 0;
            for (let i = 0; i < p.predicted.length; i++) if (p.predicted[i] === labels[i]) correct++;
            const top1 = correct / p.predicted.length;
            saveModelResult(db, { modelId: model.modelId, backend: message.runtime, measuredSparsity: message.measuredSparsity, top1, weightsPath: model.file, ...p });
            done++;
            onEvent?.({ type: 'model-done', model, top1, measuredSparsity: message.measuredSparsity, seconds: message.seconds, runtime: message.runtime });
          } else {
            failed++;
            markFailed(db, model.modelId);
            onEvent?.({ type: 'model-failed', model, message: message.message });
            if (message.userError) {
              cancelled = true;
              finish(new UserError(message.message));
              return;
            }
          }
          dispatch(worker);
        } catch (error) {
          finish(error as Error);
        }
      });
      worker.on('error', (error) => finish(new Error(`inference worker failed: ${error.message}`)));
    }
  });
  return { done, failed, cancelled, seconds: (performance.now() - started) / 1000 };
}
