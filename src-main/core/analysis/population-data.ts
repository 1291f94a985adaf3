import crypto from 'node:crypto';
import type { Db } from '../db/database.js';
import { experimentDatasetClassNames } from '../sql/experiments.js';
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

interface ModelRow {
  id: number;
  variant: string;
  method: string;
  target_sparsity: number;
  seed: number;
  finished_at: string | null;
}

/** A fingerprint of the finished models: it changes whenever their predictions can have. */
export function modelsSignature(db: Db, experimentId: number): string {
  const rows = db
    .prepare("SELECT id, variant, finished_at FROM models WHERE experiment_id = ? AND status = 'done' ORDER BY id")
    .all(experimentId) as { id: number; variant: string; finished_at: string | null }[];
  return crypto.createHash('sha256').update(rows.map((r) => `${r.id}:${r.variant}:${r.finished_at ?? ''}`).join('\n')).digest('hex');
}

const METHOD_ORDER: Record<string, number> = { dense: 0, magnitude: 1, fp16: 2, int8: 3, other: 4 };

/**
 * Reads an experiment's predictions into typed arrays, one pair per model (a model's
 * rows are contiguous in the predictions table's key, so each read is one range scan).
 */
export function loadExperiment(db: Db, experimentId: number): ExperimentData {
  const images = db.prepare('SELECT image_index, true_label FROM experiment_images WHERE experiment_id = ? ORDER BY image_index').raw().all(experimentId) as [number, number][];
  const numImages = images.length;
  if (numImages === 0) throw new UserError(`experiment ${experimentId} has no images`);
  const trueLabels = new Uint16Array(numImages);
  for (const [index, label] of images) trueLabels[index] = label;
  const rows = db
    .prepare("SELECT id, variant, method, target_sparsity, seed, finished_at FROM models WHERE experiment_id = ? AND status = 'done' ORDER BY id")
    .all(experimentId) as ModelRow[];
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
    return { id: row.id, variant: row.variant, method: row.method, targetSparsity: row.target_sparsity, seed: row.seed, predicted, trueProbability };
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
