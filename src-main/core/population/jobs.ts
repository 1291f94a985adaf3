import type { Arch } from '../training/network.js';
import type { BackendName } from '../training/backend.js';
import type { LearningRateSchedule } from '../training/learning-rate.js';
import type { Normalisation } from '../training/data.js';
import type { TrainProgress } from '../training/trainer.js';
import type { ModelResult } from './store.js';

/** Messages between the population runner and its training workers. */
export interface JobCommon {
  modelId: number;
  arch: Arch;
  seed: number;
  weightsDir: string;
}

export type Job =
  | (JobCommon & { kind: 'train'; epochs: number; batchSize: number; learningRate: number; learningRateSchedule: LearningRateSchedule; targetSparsity: number })
  | (JobCommon & { kind: 'quantize'; method: 'fp16' | 'int8'; sourceWeightsDir: string });

export type ToWorker = { type: 'job'; job: Job } | { type: 'exit' };

export type FromWorker =
  | { type: 'ready'; backend: BackendName; notes: string[] }
  | { type: 'progress'; modelId: number; progress: TrainProgress }
  /** tensors: what the worker's backend still holds after the model; peakMemory: bytes, see worker.ts */
  | { type: 'done'; result: ModelResult; seconds: number; tensors: number; peakMemory: number }
  | { type: 'failed'; modelId: number; message: string; userError: boolean };

/**
 * A split in shared memory, normalised once by the main thread (float32, count x size)
 * with its labels: every worker reads the same bytes, none copies them.
 */
export interface SharedSplit {
  count: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  x: SharedArrayBuffer;
  labels: SharedArrayBuffer;
}

/**
 * What a worker starts with. Workers never open the database: the main thread reads
 * the dataset once and shares it, and alone writes results.
 */
export interface WorkerOptions {
  backend?: BackendName;
  /** from the training pixels; applied to both splits, and saved with each model */
  normalisation: Normalisation;
  train: SharedSplit;
  test: SharedSplit;
}
