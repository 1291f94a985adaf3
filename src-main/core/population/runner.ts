import os from 'node:os';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import type { BackendName } from '../training/backend.js';
import type { TrainProgress } from '../training/trainer.js';
import { normalisationOf, normaliseInto, type Normalisation, type SplitData } from '../training/data.js';
import type { FromWorker, Job, SharedSplit, ToWorker, WorkerOptions } from './jobs.js';
import { plannedModels, type PlannedModel } from './plan.js';
import type { PopulationConfig } from './presets.js';
import { markFailed, markRunning, saveModelResult } from './store.js';
import { runWorkerPool } from '../workers/pool.js';

export type PopulationEvent =
  | { type: 'backend'; backend: BackendName; notes: string[] }
  | { type: 'model-started'; model: PlannedModel }
  | { type: 'model-progress'; model: PlannedModel; progress: TrainProgress }
  | { type: 'model-done'; model: PlannedModel; top1: number; measuredSparsity: number; seconds: number; tensors: number; workerPeakMemory: number }
  | { type: 'model-failed'; model: PlannedModel; message: string };

export interface RunOptions {
  experimentId: number;
  /** The training images (the first trainLimit) and the evaluation images. */
  train: SplitData;
  test: SplitData;
  config: PopulationConfig;
  workers?: number;
  /** Folder for the models' weights (one sub-folder per model). */
  weightsRoot: string;
  onEvent?: (event: PopulationEvent) => void;
  signal?: AbortSignal;
}

export interface RunSummary {
  done: number;
  failed: number;
  cancelled: boolean;
  seconds: number;
}

const WORKER_ENTRY = new URL(`./worker${path.extname(new URL(import.meta.url).pathname)}`, import.meta.url).href;
const BOOTSTRAP = new URL('./worker-bootstrap.js', import.meta.url);

/** Where the models of a database keep their weights: beside the database file. */
export function weightsRootFor(databasePath: string): string {
  return `${databasePath}.models`;
}

/**
 * Trains every pending model of an experiment in worker threads (one model per
 * worker) and writes each finished model in one transaction from this thread.
 * Quantized models wait for the dense model they are made from.
 */
export async function runPopulation(db: Db, options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const models = plannedModels(db, options.experimentId);
  const byId = new Map(models.map((m) => [m.id, m]));
  const pending = models.filter((m) => m.status !== 'done');
  const doneIds = new Set(models.filter((m) => m.status === 'done').map((m) => m.id));
  const workerCount = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), pending.length || 1));
  const { config } = options;
  let failed = 0;
  let completed = 0;

  const weightsDir = (m: PlannedModel): string => path.join(options.weightsRoot, String(options.experimentId), String(m.id));
  const jobFor = (m: PlannedModel): Job => {
    const common = { modelId: m.id, arch: config.arch, seed: m.seed, weightsDir: weightsDir(m) };
    if (m.method === 'fp16' || m.method === 'int8') {
      const source = m.sourceModelId === undefined ? undefined : byId.get(m.sourceModelId);
      if (!source) throw new UserError(`model ${m.id} (${m.variant}) has no dense model with seed ${m.seed} to quantize`);
      return { ...common, kind: 'quantize', method: m.method, sourceWeightsDir: weightsDir(source) };
    }
    return { ...common, kind: 'train', epochs: config.epochs, batchSize: config.batchSize, learningRate: config.learningRate, learningRateSchedule: config.learningRateSchedule ?? 'constant', targetSparsity: m.targetSparsity };
  };
  // Ready when it needs nothing, or its dense source is done. Quantized models go first: they take a second.
  const queue = [...pending].sort((a, b) => Number(b.sourceModelId !== undefined) - Number(a.sourceModelId !== undefined) || interleave(a, b, config));
  const nextReady = (): PlannedModel | undefined => {
    const i = queue.findIndex((m) => m.sourceModelId === undefined || doneIds.has(m.sourceModelId));
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };

  if (pending.length === 0) return { done: 0, failed: 0, cancelled: false, seconds: (performance.now() - started) / 1000 };
  let backendReported = false;
  const normalisation = normalisationOf(options.train.pixels);
  const workerOptions: WorkerOptions = { backend: config.backend, normalisation, train: share(options.train, normalisation), test: share(options.test, normalisation) };
  const { cancelled } = await runWorkerPool<PlannedModel, FromWorker>({
    bootstrap: BOOTSTRAP,
    workerData: { entry: WORKER_ENTRY, options: workerOptions },
    size: workerCount,
    signal: options.signal,
    nextReady,
    start: (model) => {
      markRunning(db, model.id);
      const message: ToWorker = { type: 'job', job: jobFor(model) };
      options.onEvent?.({ type: 'model-started', model });
      return message;
    },
    onMessage: (message) => {
      if (message.type === 'ready') {
        if (!backendReported) options.onEvent?.({ type: 'backend', backend: message.backend, notes: message.notes });
        backendReported = true;
        return 'ready';
      }
      if (message.type === 'progress') {
        const model = byId.get(message.modelId);
        if (model) options.onEvent?.({ type: 'model-progress', model, progress: message.progress });
        return 'busy';
      }
      if (message.type === 'done') {
        const model = byId.get(message.result.modelId);
        if (!model) return 'busy';
        saveModelResult(db, message.result);
        doneIds.add(model.id);
        completed++;
        options.onEvent?.({ type: 'model-done', model, top1: message.result.top1, measuredSparsity: message.result.measuredSparsity, seconds: message.seconds, tensors: message.tensors, workerPeakMemory: message.peakMemory });
        return 'finished';
      }
      const model = byId.get(message.modelId);
      failed++;
      if (model) {
        markFailed(db, model.id);
        options.onEvent?.({ type: 'model-failed', model, message: message.message });
      }
      if (message.userError) throw new UserError(message.message);
      return 'finished';
    },
    workerError: (error) => (error instanceof UserError ? error : new Error(`training worker failed: ${error.message}`)),
  });
  return { done: completed, failed, cancelled, seconds: (performance.now() - started) / 1000 };
}

/** Trains member 0 of every variant, then member 1, ...: a run stopped early still covers every variant. */
function interleave(a: PlannedModel, b: PlannedModel, config: PopulationConfig): number {
  const member = (m: PlannedModel): number => {
    const v = config.sparsities.indexOf(m.targetSparsity);
    return m.seed - config.seed - 1000 * Math.max(0, v);
  };
  return member(a) - member(b) || a.id - b.id;
}

function share(split: SplitData, norm: Normalisation): SharedSplit {
  // Normalised here once rather than in every worker: one float copy of the dataset in
  // memory instead of one per worker (188 MB for Fashion-MNIST's training images).
  const x = new SharedArrayBuffer(split.pixels.length * Float32Array.BYTES_PER_ELEMENT);
  normaliseInto(split.pixels, norm, new Float32Array(x));
  const labels = new SharedArrayBuffer(split.labels.byteLength);
  new Uint8Array(labels).set(split.labels);
  return { count: split.count, height: split.input.height, width: split.input.width, channels: split.input.channels, numClasses: split.numClasses, x, labels };
}
