import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { stopPoint } from '../stop-points.js';
import type { DatasetLink } from './dataset-link.js';
import type { CheckedModel, Population } from './finalize.js';

export interface ImportTarget {
  name: string;
  config: Record<string, unknown>;
  link: DatasetLink | null;
}

/** Rows per INSERT statement: one call per 64 rows instead of per row doubles the insert rate. */
const BATCH = 64;

/**
 * Writes the experiment, its images, its models and every prediction in one
 * transaction, with prepared statements: all of the import, or nothing of it.
 */
export function writeImport(db: Db, population: Population, target: ImportTarget): number {
  const insertExperiment = db.prepare("INSERT INTO experiments (name, dataset_id, origin, config, created_at) VALUES (?, ?, 'imported', ?, ?)");
  const insertImage = db.prepare('INSERT INTO experiment_images (experiment_id, image_index, true_label, image_id) VALUES (?, ?, ?, ?)');
  const insertModel = db.prepare(
    `INSERT INTO models (experiment_id, variant, method, target_sparsity, measured_sparsity, seed, arch, backend, epochs, top1, status, source, finished_at)
     VALUES (?, ?, ?, ?, NULL, ?, 'unknown', NULL, NULL, ?, 'done', ?, ?)`,
  );
  const insertOne = db.prepare('INSERT INTO predictions (model_id, image_index, predicted_label, predicted_probability, true_label_probability) VALUES (?, ?, ?, ?, ?)');
  const insertBatch = db.prepare(
    `INSERT INTO predictions (model_id, image_index, predicted_label, predicted_probability, true_label_probability) VALUES ${Array(BATCH).fill('(?, ?, ?, ?, ?)').join(', ')}`,
  );
  return db.transaction(() => {
    const now = nowIso();
    const experimentId = Number(insertExperiment.run(target.name, target.link?.datasetId ?? null, JSON.stringify(target.config), now).lastInsertRowid);
    const { trueLabels, images } = population;
    for (let i = 0; i < images; i++) insertImage.run(experimentId, i, trueLabels[i], target.link ? target.link.imageIds[i] : null);
    for (const model of population.models) {
      const modelId = Number(insertModel.run(experimentId, model.variant, model.method, model.targetSparsity, model.seed, model.top1, model.source, now).lastInsertRowid);
      writePredictions(model, modelId, images, insertBatch.run.bind(insertBatch), insertOne.run.bind(insertOne));
      stopPoint('import-write'); // crash tests only: see stop-points.ts
    }
    return experimentId;
  })();
}

type Run = (...values: unknown[]) => unknown;

function writePredictions(model: CheckedModel, modelId: number, images: number, runBatch: Run, runOne: Run): void {
  const { predicted, probability, trueProbability } = model.rows;
  const rowOf = model.rowOf;
  const values: unknown[] = new Array<unknown>(5 * BATCH);
  let i = 0;
  for (; i + BATCH <= images; i += BATCH) {
    for (let k = 0; k < BATCH; k++) {
      const row = rowOf ? (rowOf[i + k] as number) : i + k;
      const t = trueProbability[row] as number;
      const o = 5 * k;
      values[o] = modelId;
      values[o + 1] = i + k;
      values[o + 2] = predicted[row];
      values[o + 3] = probability[row];
      values[o + 4] = Number.isNaN(t) ? null : t;
    }
    runBatch(values);
  }
  for (; i < images; i++) {
    const row = rowOf ? (rowOf[i] as number) : i;
    const t = trueProbability[row] as number;
    runOne(modelId, i, predicted[row], probability[row], Number.isNaN(t) ? null : t);
  }
}
