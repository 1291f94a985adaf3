import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { ROOT } from './cli.js';
import { FASHION_MNIST_DIR, idxBuffer } from './data.js';

export const MODEL_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'models');

export interface ReferenceModel {
  arch: string;
  variant: string;
  seed: number;
  target_sparsity: number;
  zeros: number;
  weights: number;
  measured_sparsity: number;
  predicted_label: number[];
  predicted_probability: number[];
  true_label_probability: number[];
}

export interface Reference {
  images: number;
  true_labels: number[];
  models: Record<string, ReferenceModel>;
}

export function reference(): Reference {
  return JSON.parse(fs.readFileSync(path.join(MODEL_FIXTURES, 'reference.json'), 'utf8')) as Reference;
}

/** The first `count` Fashion-MNIST test images and labels as an IDX pair (real images, fewer of them). */
export function writeFashionMnistHead(dir: string, count: number): { images: string; labels: string } {
  const images = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'))).subarray(16, 16 + count * 784);
  const labels = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'))).subarray(8, 8 + count);
  const out = { images: path.join(dir, 'head-images.gz'), labels: path.join(dir, 'head-labels.gz') };
  fs.writeFileSync(out.images, zlib.gzipSync(idxBuffer([count, 28, 28], images)));
  fs.writeFileSync(out.labels, zlib.gzipSync(idxBuffer([count], labels)));
  return out;
}

/** A manifest written to `dir` (model files given by absolute path unless relative ones are passed). */
export function writeManifest(dir: string, name: string, manifest: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2));
  return file;
}

export const FASHION_INPUT = { layout: 'nchw', channels: 1, height: 28, width: 28, scale: 1 / 255, mean: [0.286], std: [0.353] };

export interface PredictionRow {
  model_id: number;
  image_index: number;
  predicted_label: number;
  predicted_probability: number;
  true_label_probability: number;
}

export function readPredictions(db: string, experimentId: number): PredictionRow[] {
  const handle = new Database(db, { readonly: true });
  try {
    return handle
      .prepare('SELECT p.* FROM predictions p JOIN models m ON m.id = p.model_id WHERE m.experiment_id = ? ORDER BY p.model_id, p.image_index')
      .all(experimentId) as PredictionRow[];
  } finally {
    handle.close();
  }
}

export function queryAll<T>(db: string, sql: string, ...params: unknown[]): T[] {
  const handle = new Database(db, { readonly: true });
  try {
    return handle.prepare(sql).all(...params) as T[];
  } finally {
    handle.close();
  }
}
