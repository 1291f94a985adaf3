import type { InputSpec, ModelFormat } from './manifest.js';
import type { Predictions } from './scores.js';

/** Messages between the model runner and its inference workers. */
export interface ModelJob {
  modelId: number;
  file: string;
  format: ModelFormat;
  inputName?: string;
  outputName?: string;
}

/** What every worker starts with: the images at the model's size, shared, and how to feed them. */
export interface ModelWorkerOptions {
  input: InputSpec;
  output: 'logits' | 'probabilities';
  batchSize: number;
  count: number;
  numClasses: number;
  /** count x height x width x channels, uint8 */
  pixels: SharedArrayBuffer;
  /** count uint16 true labels */
  labels: SharedArrayBuffer;
  /** one Int32: set to 1, every worker stops after its current batch */
  stop: SharedArrayBuffer;
}

export type ToModelWorker = { type: 'job'; job: ModelJob } | { type: 'exit' };

export type FromModelWorker =
  | { type: 'ready' }
  | { type: 'progress'; modelId: number; done: number; total: number }
  | { type: 'done'; modelId: number; runtime: string; measuredSparsity: number; predictions: Predictions; seconds: number }
  | { type: 'failed'; modelId: number; message: string; userError: boolean }
  | { type: 'stopped'; modelId: number };
