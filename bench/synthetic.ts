import type { Db } from '../src-main/core/db/database.js';
import { nowIso } from '../src-main/core/db/database.js';
import { saveModelResult } from '../src-main/core/population/store.js';
import { Random } from '../src-main/core/random.js';

export interface SyntheticPopulation {
  experimentId: number;
  rows: number;
  insertSeconds: number;
}

export const SYNTHETIC_VARIANTS: { variant: string; method: 'dense' | 'magnitude' | 'fp16' | 'int8'; sparsity: number; forget: number }[] = [
  { variant: 'dense', method: 'dense', sparsity: 0, forget: 0 },
  { variant: 'magnitude-0.3', method: 'magnitude', sparsity: 0.3, forget: 0.01 },
  { variant: 'magnitude-0.5', method: 'magnitude', sparsity: 0.5, forget: 0.02 },
  { variant: 'magnitude-0.9', method: 'magnitude', sparsity: 0.9, forget: 0.08 },
  { variant: 'fp16', method: 'fp16', sparsity: 0, forget: 0 },
  { variant: 'int8', method: 'int8', sparsity: 0, forget: 0.005 },
];

/**
 * A population of `models` x each variant (6 unless given) over `images` images with 10 classes, written
 * through the same transaction that stores a trained model; returns the insert time.
 */
export function writeSyntheticPopulation(db: Db, models: number, images: number, classes = 10, variants = SYNTHETIC_VARIANTS): SyntheticPopulation {
  const random = new Random(99);
  const experimentId = Number(
    db.prepare("INSERT INTO experiments (name, dataset_id, origin, config, created_at) VALUES ('synthetic', NULL, 'imported', '{}', ?)").run(nowIso()).lastInsertRowid,
  );
  const trueLabels = new Uint8Array(images);
  const difficulty = new Float32Array(images);
  const insertImage = db.prepare('INSERT INTO experiment_images (experiment_id, image_index, true_label) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < images; i++) {
      trueLabels[i] = Math.floor(random.next() * classes);
      difficulty[i] = random.next() * 0.4;
      insertImage.run(experimentId, i, trueLabels[i]);
    }
  })();
  const insertModel = db.prepare("INSERT INTO models (experiment_id, variant, method, target_sparsity, seed, arch, status) VALUES (?, ?, ?, ?, ?, 'mlp', 'running')");
  let insertSeconds = 0;
  let rows = 0;
  for (const v of variants) {
    for (let k = 0; k < models; k++) {
      const modelId = Number(insertModel.run(experimentId, v.variant, v.method, v.sparsity, k + 1).lastInsertRowid);
      const predicted = new Uint8Array(images);
      const predictedProbability = new Float32Array(images);
      const trueLabelProbability = new Float32Array(images);
      let correct = 0;
      for (let i = 0; i < images; i++) {
        const label = trueLabels[i] ?? 0;
        const right = random.next() > (difficulty[i] ?? 0) + v.forget * ((label % 3) + 1);
        predicted[i] = right ? label : (label + 1 + Math.floor(random.next() * 3)) % classes;
        predictedProbability[i] = 0.4 + 0.6 * random.next();
        trueLabelProbability[i] = right ? (predictedProbability[i] ?? 0) : (1 - (predictedProbability[i] ?? 0)) * random.next();
        if (right) correct++;
      }
      const started = performance.now();
      saveModelResult(db, { modelId, backend: 'synthetic', measuredSparsity: v.sparsity, top1: correct / images, weightsPath: '', predicted, predictedProbability, trueLabelProbability });
      insertSeconds += (performance.now() - started) / 1000;
      rows += images;
    }
  }
  return { experimentId, rows, insertSeconds };
}
