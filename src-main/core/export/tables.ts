import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import { evalPredictionRows, evalRunPairs } from '../sql/eval-sets.js';
import type { Row } from './writers.js';

export const MODEL_COLUMNS = ['model_id', 'experiment_id', 'variant', 'method', 'target_sparsity', 'measured_sparsity', 'seed', 'arch', 'backend', 'epochs', 'top1', 'status'] as const;
export const PREDICTION_COLUMNS = ['model_id', 'variant', 'target_sparsity', 'seed', 'image_index', 'true_label', 'predicted_label', 'predicted_probability', 'true_label_probability', 'eval_set'] as const;

/** The experiment asked for, or the newest one. */
export function resolveExperiment(db: Db, experimentId?: number): number {
  if (experimentId !== undefined) {
    const found = db.prepare('SELECT id FROM experiments WHERE id = ?').pluck().get(experimentId);
    if (found === undefined) throw new UserError(`no experiment ${experimentId}`);
    return experimentId;
  }
  const newest = db.prepare('SELECT max(id) FROM experiments').pluck().get() as number | null;
  if (newest === null) throw new UserError('no experiments yet (run pie-audit train, or import predictions)');
  return newest;
}

export function modelRows(db: Db, experimentId: number): Iterable<Row> {
  return db
    .prepare(
      `SELECT id AS model_id, experiment_id, variant, method, target_sparsity, measured_sparsity, seed, arch, backend, epochs, top1, status
       FROM models WHERE experiment_id = ? ORDER BY id`,
    )
    .iterate(experimentId) as Iterable<Row>;
}

/**
 * Long format, one row per (model, image): the clean test split ('clean') streamed (1.8
 * million rows need no memory), then each evaluation set's, one model at a time.
 */
export function* predictionRows(db: Db, experimentId: number): Iterable<Row> {
  yield* cleanPredictionRows(db, experimentId);
  for (const { set, modelId } of evalRunPairs(db, experimentId)) yield* evalPredictionRows(db, set, modelId) as Row[];
}

function cleanPredictionRows(db: Db, experimentId: number): Iterable<Row> {
  return db
    .prepare(
      `SELECT p.model_id, m.variant, m.target_sparsity, m.seed, p.image_index, ei.true_label, p.predicted_label,
              p.predicted_probability, p.true_label_probability, 'clean' AS eval_set
       FROM models m
       JOIN predictions p ON p.model_id = m.id
       JOIN experiment_images ei ON ei.experiment_id = m.experiment_id AND ei.image_index = p.image_index
       WHERE m.experiment_id = ? AND m.status = 'done'
       ORDER BY p.model_id, p.image_index`,
    )
    .iterate(experimentId) as Iterable<Row>;
}
