import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { stopPoint } from '../stop-points.js';
import { experimentImageInserter, insertExperiment } from '../sql/experiments.js';
import { importedModelInserter } from '../sql/models.js';
import { PREDICTION_BATCH as BATCH, predictionInserter } from '../sql/predictions.js';
import { inTransaction } from '../sql/transaction.js';
import type { DatasetLink } from './dataset-link.js';
import type { CheckedModel, Population } from './finalize.js';

export interface ImportTarget {
  name: string;
  config: Record<string, unknown>;
  link: DatasetLink | null;
}

/**
 * Writes the experiment, its images, its models and every prediction in one
 * transaction, with prepared statements: all of the import, or nothing of it.
 */
export function writeImport(db: Db, population: Population, target: ImportTarget): number {
  const insertImage = experimentImageInserter(db);
  const predictions = predictionInserter(db);
  return inTransaction(db, () => {
    const now = nowIso();
    const experimentId = insertExperiment(db, { name: target.name, datasetId: target.link?.datasetId ?? null, origin: 'imported', config: JSON.stringify(target.config), createdAt: now });
    const insertModel = importedModelInserter(db, experimentId);
    const { trueLabels, images } = population;
    for (let i = 0; i < images; i++) insertImage(experimentId, i, trueLabels[i] as number, target.link ? (target.link.imageIds[i] as number) : null);
    for (const model of population.models) {
      const modelId = insertModel({ variant: model.variant, method: model.method, targetSparsity: model.targetSparsity, seed: model.seed, top1: model.top1, source: model.source, finishedAt: now });
      writePredictions(model, modelId, images, predictions.batch, predictions.one);
      stopPoint('import-write'); // crash tests only: see stop-points.ts
    }
    return experimentId;
  });
}

export type Run = (values: readonly unknown[]) => void;

/** One model's predictions in image order (rowOf maps an image to its row), 64 rows a statement. */
export function writePredictions(model: CheckedModel, modelId: number, images: number, runBatch: Run, runOne: Run): void {
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
    runOne([modelId, i, predicted[row], probability[row], Number.isNaN(t) ? null : t]);
  }
}
