/**
 * predictions: every model's answer for every image. The one long-format query lives
 * here (the predictions export), read a model at a time, and the per-image lookup the
 * image screen needs.
 */
import type { Row } from '../export/writers.js';
import { evalPredictionRows, evalRunPairs } from './eval-sets.js';
import type { ReadableDb } from './handles.js';

export const PREDICTION_COLUMNS = ['model_id', 'variant', 'target_sparsity', 'seed', 'image_index', 'true_label', 'predicted_label', 'predicted_probability', 'true_label_probability', 'eval_set', 'true_class_name'] as const;

/**
 * Long format, one row per (model, image), in PREDICTION_COLUMNS: the clean test split
 * ('clean') ordered by model and image, then each evaluation set's, one model at a
 * time. Read in synchronous pieces, one model (one key range) at a time: a writer
 * that awaits between rows must not hold a better-sqlite3 iterator open, which would
 * refuse every other statement on the connection (a label being saved meanwhile), and
 * 1.8 million rows never sit in memory at once.
 */
export function* predictionExportRows(db: ReadableDb, experimentId: number): Iterable<Row> {
  const models = db.prepare("SELECT id FROM models WHERE experiment_id = ? AND status = 'done' ORDER BY id").pluck().all(experimentId) as number[];
  const page = db.prepare(
    `SELECT p.model_id, m.variant, m.target_sparsity, m.seed, p.image_index, ei.true_label, p.predicted_label,
            p.predicted_probability, p.true_label_probability, 'clean' AS eval_set
     FROM models m
     JOIN predictions p ON p.model_id = m.id
     JOIN experiment_images ei ON ei.experiment_id = m.experiment_id AND ei.image_index = p.image_index
     WHERE m.id = ?
     ORDER BY p.image_index`,
  );
  for (const id of models) yield* page.all(id) as Row[];
  for (const { set, modelId } of evalRunPairs(db, experimentId)) yield* evalPredictionRows(db, set, modelId) as Row[];
}

export interface ImagePrediction {
  predictedLabel: number;
  predictedProbability: number;
  trueLabelProbability: number | null;
}

/** One image's prediction by each of the given models (absent: the model has none). */
export function imagePredictions(db: ReadableDb, modelIds: readonly number[], imageIndex: number): Map<number, ImagePrediction> {
  const select = db.prepare('SELECT predicted_label, predicted_probability, true_label_probability FROM predictions WHERE model_id = ? AND image_index = ?');
  const out = new Map<number, ImagePrediction>();
  for (const id of modelIds) {
    const row = select.get(id, imageIndex) as { predicted_label: number; predicted_probability: number; true_label_probability: number | null } | undefined;
    if (row) out.set(id, { predictedLabel: row.predicted_label, predictedProbability: row.predicted_probability, trueLabelProbability: row.true_label_probability });
  }
  return out;
}
