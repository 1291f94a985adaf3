import type { ReadableDb } from '../db/database.js';
import { datasetShape, splitPixels, splitSize } from '../sql/datasets.js';
import { UserError } from '../errors.js';
import type { InputShape } from './network.js';

export interface SplitData {
  count: number;
  input: InputShape;
  numClasses: number;
  /** count x (height * width * channels), uint8 as stored. */
  pixels: Uint8Array;
  labels: Uint8Array;
  /** images.id of each row, for linking experiment images. */
  imageIds: Int32Array;
}

export interface Normalisation {
  mean: number;
  std: number;
}

/** Reads a split's pixels and labels (ordered by idx), the first `limit` images when given. */
export function loadSplit(db: ReadableDb, datasetId: number, split: 'train' | 'test', limit?: number): SplitData {
  const dataset = datasetShape(db, datasetId);
  if (!dataset) throw new UserError(`no dataset with id ${datasetId}`);
  if (dataset.kind === 'folder') {
    throw new UserError('training needs a dataset with stored pixels (fashion-mnist, mnist, cifar10, idx); a folder dataset can be audited with imported predictions');
  }
  const total = splitSize(db, datasetId, split);
  if (total === 0) throw new UserError(`dataset has no ${split} images`);
  const count = limit === undefined ? total : Math.min(limit, total);
  const size = dataset.width * dataset.height * dataset.channels;
  const pixels = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  const imageIds = new Int32Array(count);
  const rows = splitPixels(db, datasetId, split, count);
  let i = 0;
  for (const row of rows) {
    pixels.set(row.pixels, i * size);
    labels[i] = row.label;
    imageIds[i] = row.id;
    i++;
  }
  return { count, input: { height: dataset.height, width: dataset.width, channels: dataset.channels }, numClasses: dataset.classes, pixels, labels, imageIds };
}

/** Mean and standard deviation of the pixels scaled to [0, 1], from the training images. */
export function normalisationOf(pixels: Uint8Array): Normalisation {
  let sum = 0;
  let sumSq = 0;
  for (const p of pixels) {
    sum += p;
    sumSq += p * p;
  }
  const n = pixels.length;
  const mean = sum / n / 255;
  const variance = sumSq / n / (255 * 255) - mean * mean;
  return { mean, std: Math.sqrt(Math.max(variance, 1e-12)) };
}

/** Pixels scaled to zero mean and unit variance. */
export function normalise(pixels: Uint8Array, norm: Normalisation): Float32Array {
  const out = new Float32Array(pixels.length);
  normaliseInto(pixels, norm, out);
  return out;
}

/** normalise, into memory the caller provides (a SharedArrayBuffer for the workers). */
export function normaliseInto(pixels: Uint8Array, norm: Normalisation, out: Float32Array<ArrayBufferLike>): void {
  if (out.length !== pixels.length) throw new Error(`normalise: ${pixels.length} pixels into ${out.length} values`);
  const scale = 1 / (255 * norm.std);
  const shift = norm.mean / norm.std;
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i] ?? 0) * scale - shift;
}
