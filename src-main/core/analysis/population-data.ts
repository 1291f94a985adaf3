import crypto from 'node:crypto';
import type { ReadableDb } from '../db/database.js';
import { experimentDatasetClassNames, experimentTrueLabelRows } from '../sql/experiments.js';
import { finishedModelStamps, finishedPopulationModels } from '../sql/models.js';
import { modelPredictionColumnReader } from '../sql/prediction-columns.js';
import { UserError } from '../errors.js';

export interface PopulationModel {
  id: number;
  variant: string;
  method: string;
  targetSparsity: number;
  seed: number;
  /** predicted label per image_index */
  predicted: Uint16Array;
  /** the true label's probability per image; NaN where unknown */
  trueProbability: Float64Array;
}

export interface Variant {
  name: string;
  method: string;
  targetSparsity: number;
  models: PopulationModel[];
}

export interface ExperimentData {
  experimentId: number;
  numImages: number;
  numClasses: number;
  trueLabels: Uint16Array;
  classNames: string[];
  /** dense first, then by method and sparsity */
  variants: Variant[];
  signature: string;
}

/** A fingerprint of the finished models: it changes whenever their predictions can have. */
export function modelsSignature(db: ReadableDb, experimentId: number): string {
  const rows = finishedModelStamps(db, experimentId);
  return crypto.createHash('sha256').update(rows.map((r) => `${r.id}:${r.variant}:${r.finished_at ?? ''}`).join('\n')).digest('hex');
}

const METHOD_ORDER: Record<string, number> = { dense: 0, magnitude: 1, fp16: 2, int8: 3, other: 4 };

/**
 * Reads an experiment's predictions into typed arrays, one pair per model (a model's
 * rows are contiguous in the predictions table's key, so each read is one range scan).
 */
export function loadExperiment(db: ReadableDb, experimentId: number): ExperimentData {
  const images = experimentTrueLabelRows(db, experimentId);
  const numImages = images.length;
  if (numImages === 0) throw new UserError(`experiment ${experimentId} has no images`);
  const trueLabels = new Uint16Array(numImages);
  for (const [index, label] of images) trueLabels[index] = label;
  const rows = finishedPopulationModels(db, experimentId);
  const readColumns = modelPredictionColumnReader(db);
  let maxLabel = 0;
  for (const label of trueLabels) maxLabel = Math.max(maxLabel, label);
  const models: PopulationModel[] = rows.map((row) => {
    const predicted = new Uint16Array(numImages);
    const trueProbability = new Float64Array(numImages);
    const columns = readColumns(row.id);
    const count = columns.predicted.length;
    if (count !== numImages) throw new UserError(`model ${row.id} (${row.variant}) has predictions for ${count} of ${numImages} images`);
    // image_index is unique per model (the key), so n rows from 0 to n-1 are exactly 0..n-1 in order.
    if (columns.firstImage !== 0 || columns.lastImage !== numImages - 1) {
      throw new UserError(`model ${row.id} (${row.variant}) has predictions for images ${columns.firstImage} to ${columns.lastImage}, not 0 to ${numImages - 1}`);
    }
    for (let i = 0; i < numImages; i++) {
      const label = columns.predicted[i] as number;
      predicted[i] = label;
      if (label > maxLabel) maxLabel = label;
      trueProbability[i] = columns.trueProbability[i] ?? NaN;
    }
    return { ...row, predicted, trueProbability };
  });
  const byVariant = new Map<string, Variant>();
  for (const m of models) {
    const v = byVariant.get(m.variant) ?? { name: m.variant, method: m.method, targetSparsity: m.targetSparsity, models: [] };
    v.models.push(m);
    byVariant.set(m.variant, v);
  }
  const variants = [...byVariant.values()].sort(
    (a, b) => (METHOD_ORDER[a.method] ?? 9) - (METHOD_ORDER[b.method] ?? 9) || a.targetSparsity - b.targetSparsity || a.name.localeCompare(b.name),
  );
  if (!byVariant.has('dense')) throw new UserError(`experiment ${experimentId} has no finished dense models: PIEs are defined against the dense population`);
  const datasetClasses = experimentDatasetClassNames(db, experimentId);
  const numClasses = Math.max(datasetClasses.length, maxLabel + 1);
  const classNames = Array.from({ length: numClasses }, (_, c) => datasetClasses[c] ?? String(c));
  return { experimentId, numImages, numClasses, trueLabels, classNames, variants, signature: modelsSignature(db, experimentId) };
}
