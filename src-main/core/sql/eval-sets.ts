/**
 * Data access for evaluation sets (the evaluation_sets migration): corrupted copies of an
 * experiment's test split and other datasets' test splits, their per-model runs and
 * predictions. The clean test split stays in `predictions`.
 */
import type { Db, ReadableDb } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { replaceModelPredictions, type PredictionArrays } from './predictions.js';

export type EvalSetKind = 'corruption' | 'dataset';

export interface EvalSet {
  id: number;
  experimentId: number;
  name: string;
  kind: EvalSetKind;
  corruption: string | null;
  severity: number | null;
  datasetId: number | null;
  images: number;
}

interface EvalSetRow {
  id: number;
  experiment_id: number;
  name: string;
  kind: EvalSetKind;
  corruption: string | null;
  severity: number | null;
  dataset_id: number | null;
  images: number;
}

const toEvalSet = (r: EvalSetRow): EvalSet => ({
  id: r.id,
  experimentId: r.experiment_id,
  name: r.name,
  kind: r.kind,
  corruption: r.corruption,
  severity: r.severity,
  datasetId: r.dataset_id,
  images: r.images,
});

/** The set of that name, created when new. */
export function ensureEvalSet(db: Db, set: Omit<EvalSet, 'id'>): EvalSet {
  db.prepare(
    `INSERT INTO eval_sets (experiment_id, name, kind, corruption, severity, dataset_id, images, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, name) DO NOTHING`,
  ).run(set.experimentId, set.name, set.kind, set.corruption, set.severity, set.datasetId, set.images, nowIso());
  const row = db.prepare('SELECT * FROM eval_sets WHERE experiment_id = ? AND name = ?').get(set.experimentId, set.name) as EvalSetRow;
  return toEvalSet(row);
}

/** An experiment's sets: corruptions in name and severity order, then other datasets. */
export function listEvalSets(db: ReadableDb, experimentId: number): EvalSet[] {
  const rows = db
    .prepare("SELECT * FROM eval_sets WHERE experiment_id = ? ORDER BY kind = 'dataset', corruption, severity, name")
    .all(experimentId) as EvalSetRow[];
  return rows.map(toEvalSet);
}

export function finishedModelIds(db: ReadableDb, evalSetId: number): Set<number> {
  return new Set(db.prepare('SELECT model_id FROM eval_runs WHERE eval_set_id = ?').pluck().all(evalSetId) as number[]);
}

export interface EvalRunResult extends PredictionArrays {
  evalSetId: number;
  modelId: number;
  top1: number;
}

/** A model's predictions on a set and its run row, in one transaction (as a trained model's). */
export function saveEvalRun(db: Db, result: EvalRunResult): void {
  replaceModelPredictions(db, 'eval', [result.evalSetId, result.modelId], result, () => {
    db.prepare('INSERT OR REPLACE INTO eval_runs (eval_set_id, model_id, top1, finished_at) VALUES (?, ?, ?, ?)').run(result.evalSetId, result.modelId, result.top1, nowIso());
  });
}

export interface EvalTop1 {
  evalSetId: number;
  modelId: number;
  top1: number;
}

/** Every finished (set, model) top-1 of an experiment's finished models. */
export function evalTop1s(db: ReadableDb, experimentId: number): EvalTop1[] {
  return (
    db
      .prepare(
        `SELECT r.eval_set_id, r.model_id, r.top1 FROM eval_runs r JOIN eval_sets s ON s.id = r.eval_set_id
         JOIN models m ON m.id = r.model_id WHERE s.experiment_id = ? AND m.status = 'done' ORDER BY r.eval_set_id, r.model_id`,
      )
      .raw()
      .all(experimentId) as [number, number, number][]
  ).map(([evalSetId, modelId, top1]) => ({ evalSetId, modelId, top1 }));
}

/** One model's predicted labels on a set, by image index. */
export function evalPredictedLabels(db: ReadableDb, evalSetId: number, modelId: number, images: number): Uint16Array {
  const out = new Uint16Array(images);
  const rows = db.prepare('SELECT image_index, predicted_label FROM eval_predictions WHERE eval_set_id = ? AND model_id = ?').raw().all(evalSetId, modelId) as [number, number][];
  for (const [index, label] of rows) out[index] = label;
  return out;
}

/** One model's prediction rows on a set in export columns; true labels from the experiment or the other dataset. */
export function evalPredictionRows(db: ReadableDb, set: EvalSet, modelId: number): Record<string, unknown>[] {
  const truth =
    set.kind === 'dataset'
      ? "JOIN images t ON t.dataset_id = s.dataset_id AND t.split = 'test' AND t.idx = p.image_index"
      : 'JOIN experiment_images t ON t.experiment_id = m.experiment_id AND t.image_index = p.image_index';
  const labelColumn = set.kind === 'dataset' ? 't.label' : 't.true_label';
  return db
    .prepare(
      `SELECT p.model_id, m.variant, m.target_sparsity, m.seed, p.image_index, ${labelColumn} AS true_label, p.predicted_label,
              p.predicted_probability, p.true_label_probability, s.name AS eval_set
       FROM eval_predictions p JOIN models m ON m.id = p.model_id JOIN eval_sets s ON s.id = p.eval_set_id ${truth}
       WHERE p.eval_set_id = ? AND p.model_id = ? ORDER BY p.image_index`,
    )
    .all(set.id, modelId) as Record<string, unknown>[];
}

/** (set, model) pairs with predictions, in export order. */
export function evalRunPairs(db: ReadableDb, experimentId: number): { set: EvalSet; modelId: number }[] {
  const sets = listEvalSets(db, experimentId);
  const models = db
    .prepare("SELECT r.model_id FROM eval_runs r JOIN models m ON m.id = r.model_id WHERE r.eval_set_id = ? AND m.status = 'done' ORDER BY r.model_id")
    .pluck();
  return sets.flatMap((set) => (models.all(set.id) as number[]).map((modelId) => ({ set, modelId })));
}

export interface EvaluableExperiment {
  id: number;
  origin: string;
  datasetId: number | null;
  images: number;
}

export function evaluableExperiment(db: ReadableDb, experimentId: number): EvaluableExperiment | undefined {
  const row = db
    .prepare('SELECT id, origin, dataset_id, (SELECT count(*) FROM experiment_images i WHERE i.experiment_id = e.id) AS images FROM experiments e WHERE id = ?')
    .get(experimentId) as { id: number; origin: string; dataset_id: number | null; images: number } | undefined;
  return row && { id: row.id, origin: row.origin, datasetId: row.dataset_id, images: row.images };
}

export interface FinishedModel {
  id: number;
  variant: string;
  backend: string | null;
  weightsPath: string | null;
}

export function finishedModels(db: ReadableDb, experimentId: number): FinishedModel[] {
  return (
    db.prepare("SELECT id, variant, backend, weights_path FROM models WHERE experiment_id = ? AND status = 'done' ORDER BY id").all(experimentId) as {
      id: number;
      variant: string;
      backend: string | null;
      weights_path: string | null;
    }[]
  ).map((r) => ({ id: r.id, variant: r.variant, backend: r.backend, weightsPath: r.weights_path }));
}

/** True labels of a set's images: the experiment's for a corruption, the other dataset's test labels otherwise. */
export function evalSetTrueLabels(db: ReadableDb, set: EvalSet): Uint16Array {
  const rows = (
    set.kind === 'dataset'
      ? db.prepare("SELECT idx, label FROM images WHERE dataset_id = ? AND split = 'test'").raw().all(set.datasetId)
      : db.prepare('SELECT image_index, true_label FROM experiment_images WHERE experiment_id = ?').raw().all(set.experimentId)
  ) as [number, number][];
  const out = new Uint16Array(set.images);
  for (const [index, label] of rows) if (index < out.length) out[index] = label;
  return out;
}

/** What the shift metrics depend on beyond the clean analysis: every finished (set, model) run. */
export function evalRunsFingerprint(db: ReadableDb, experimentId: number): string {
  const rows = db
    .prepare('SELECT r.eval_set_id, r.model_id, r.finished_at FROM eval_runs r JOIN eval_sets s ON s.id = r.eval_set_id WHERE s.experiment_id = ? ORDER BY 1, 2')
    .raw()
    .all(experimentId) as [number, number, string][];
  return rows.map((r) => r.join(':')).join('\n');
}

export function storedShift(db: ReadableDb, experimentId: number, signature: string): string | undefined {
  return db.prepare('SELECT result FROM shift_analysis WHERE experiment_id = ? AND signature = ?').pluck().get(experimentId, signature) as string | undefined;
}

export function storeShift(db: Db, experimentId: number, signature: string, result: string): void {
  db.prepare('INSERT OR REPLACE INTO shift_analysis (experiment_id, signature, result, computed_at) VALUES (?, ?, ?, ?)').run(experimentId, signature, result, nowIso());
}

/** The finished models that ran on a set: [model id, variant], by id. */
export function evalSetModels(db: ReadableDb, evalSetId: number): [number, string][] {
  return db
    .prepare("SELECT m.id, m.variant FROM eval_runs r JOIN models m ON m.id = r.model_id WHERE r.eval_set_id = ? AND m.status = 'done' ORDER BY m.id")
    .raw()
    .all(evalSetId) as [number, string][];
}

/** One experiment image's stored pixels and shape (null for an image without pixels, e.g. a folder dataset's). */
export function experimentImagePixels(db: ReadableDb, experimentId: number, imageIndex: number): { pixels: Uint8Array; width: number; height: number; channels: number } | null {
  const row = db
    .prepare(
      `SELECT i.pixels, i.width, i.height, d.channels FROM experiment_images ei JOIN images i ON i.id = ei.image_id JOIN datasets d ON d.id = i.dataset_id
       WHERE ei.experiment_id = ? AND ei.image_index = ?`,
    )
    .get(experimentId, imageIndex) as { pixels: Buffer | null; width: number; height: number; channels: number } | undefined;
  if (!row?.pixels) return null;
  return { pixels: new Uint8Array(row.pixels), width: row.width, height: row.height, channels: row.channels };
}

/** Every finished model's prediction for one image on one set: [variant, predicted label]. */
export function evalImagePredictions(db: ReadableDb, evalSetId: number, imageIndex: number): [string, number][] {
  return db
    .prepare(
      `SELECT m.variant, p.predicted_label FROM eval_runs r JOIN models m ON m.id = r.model_id
       JOIN eval_predictions p ON p.eval_set_id = r.eval_set_id AND p.model_id = r.model_id AND p.image_index = ?
       WHERE r.eval_set_id = ? AND m.status = 'done' ORDER BY m.id`,
    )
    .raw()
    .all(imageIndex, evalSetId) as [string, number][];
}
