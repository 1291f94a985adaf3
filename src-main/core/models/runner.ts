import os from 'node:os';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import { markFailed, markRunning, saveModelResult } from '../population/store.js';
import { runWorkerPool } from '../workers/pool.js';
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
  const { workers: _workers, onEvent, signal, ...workerOptions } = options;
  if (models.length === 0) return { done, failed, cancelled: false, seconds: (performance.now() - started) / 1000 };
  const { cancelled } = await runWorkerPool<RunnableModel, FromModelWorker>({
    bootstrap: BOOTSTRAP,
    workerData: { entry: WORKER_ENTRY, options: workerOptions },
    size: workerCount,
    signal,
    nextReady: () => queue.shift(),
    start: (model) => {
      markRunning(db, model.modelId);
      const { variant: _v, seed: _s, ...job } = model;
      onEvent?.({ type: 'model-started', model });
      return { type: 'job', job } satisfies ToModelWorker;
    },
    onMessage: (message) => {
      if (message.type === 'ready') return 'ready';
      const model = byId.get(message.modelId);
      if (!model) return 'busy';
      if (message.type === 'progress') {
        onEvent?.({ type: 'model-progress', model, done: message.done, total: message.total });
        return 'busy';
      }
      if (message.type === 'done') {
        const p = message.predictions;
        let correct = 0;
        for (let i = 0; i < p.predicted.length; i++) if (p.predicted[i] === labels[i]) correct++;
        const top1 = correct / p.predicted.length;
        saveModelResult(db, { modelId: model.modelId, backend: message.runtime, measuredSparsity: message.measuredSparsity, top1, weightsPath: model.file, ...p });
        done++;
        onEvent?.({ type: 'model-done', model, top1, measuredSparsity: message.measuredSparsity, seconds: message.seconds, runtime: message.runtime });
        return 'finished';
      }
      failed++;
      markFailed(db, model.modelId);
      onEvent?.({ type: 'model-failed', model, message: message.message });
      if (message.userError) throw new UserError(message.message);
      return 'finished';
    },
    workerError: (error) => new Error(`inference worker failed: ${error.message}`),
  });
  return { done, failed, cancelled, seconds: (performance.now() - started) / 1000 };
}
