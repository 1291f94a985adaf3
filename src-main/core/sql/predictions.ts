/**
 * predictions: every model's answer for every image. The one long-format query lives
 * here (the predictions export), read a model at a time, and the per-image lookup the
 * image screen needs.
 */
import type { Row } from '../export/writers.js';
import { evalPredictionRows, evalRunPairs } from './eval-sets.js';
import type { ReadableDb, WritableDb } from './handles.js';

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

/** One model's answers, by image index (typed arrays from a worker or a model run). */
export interface PredictionArrays {
  predicted: ArrayLike<number>;
  predictedProbability: ArrayLike<number>;
  trueLabelProbability: ArrayLike<number>;
}

/** The clean test split's predictions (keyed by model) and an evaluation set's (keyed by set and model). */
const PREDICTION_TABLES = {
  clean: { table: 'predictions', key: ['model_id'] },
  eval: { table: 'eval_predictions', key: ['eval_set_id', 'model_id'] },
} as const;

/**
 * One model's predictions written whole, in one transaction: rows left from an earlier
 * attempt are removed, every image is inserted, then `finish` writes what marks the run
 * complete (the model's 'done' status, or the evaluation run's row). A crash before the
 * commit leaves nothing of it, so nothing is ever written twice. `beforeFinish` runs
 * inside the transaction between the rows and `finish` (the crash tests' stop point).
 */
export function replaceModelPredictions(
  db: WritableDb,
  target: keyof typeof PREDICTION_TABLES,
  key: readonly number[],
  rows: PredictionArrays,
  finish: () => void,
  beforeFinish?: () => void,
): void {
  const { table, key: keyColumns } = PREDICTION_TABLES[target];
  const remove = db.prepare(`DELETE FROM ${table} WHERE ${keyColumns.map((c) => `${c} = ?`).join(' AND ')}`);
  const insert = db.prepare(
    `INSERT INTO ${table} (${keyColumns.join(', ')}, image_index, predicted_label, predicted_probability, true_label_probability)
     VALUES (${Array(keyColumns.length + 4).fill('?').join(', ')})`,
  );
  const { predicted, predictedProbability: probability, trueLabelProbability: trueProbability } = rows;
  const [first, second] = key;
  db.transaction(() => {
    remove.run(key);
    const n = predicted.length;
    // Values as arguments: binding a reused array is some 10-15% slower in better-sqlite3.
    if (second === undefined) for (let i = 0; i < n; i++) insert.run(first, i, predicted[i], probability[i], trueProbability[i]);
    else for (let i = 0; i < n; i++) insert.run(first, second, i, predicted[i], probability[i], trueProbability[i]);
    beforeFinish?.();
    finish();
  })();
}

/** Removes every prediction of these models (an import starting their rows over, in its transaction). */
export function deleteModelPredictions(db: WritableDb, modelIds: readonly number[]): void {
  const remove = db.prepare('DELETE FROM predictions WHERE model_id = ?');
  for (const id of modelIds) remove.run(id);
}

/** Rows per INSERT statement of an import: one call per 64 rows instead of per row doubles the insert rate. */
export const PREDICTION_BATCH = 64;

export interface PredictionInserter {
  /** PREDICTION_BATCH rows: 5 values each (model id, image index, predicted label, its probability, the true label's or null). */
  batch(values: readonly unknown[]): void;
  /** One row: the same 5 values. */
  one(values: readonly unknown[]): void;
}

/** Prepared inserts for an import's predictions, a batch or a row at a time. */
export function predictionInserter(db: WritableDb): PredictionInserter {
  const columns = '(model_id, image_index, predicted_label, predicted_probability, true_label_probability)';
  const one = db.prepare(`INSERT INTO predictions ${columns} VALUES (?, ?, ?, ?, ?)`);
  const batch = db.prepare(`INSERT INTO predictions ${columns} VALUES ${Array(PREDICTION_BATCH).fill('(?, ?, ?, ?, ?)').join(', ')}`);
  return { batch: (values) => void batch.run(values), one: (values) => void one.run(values) };
}

