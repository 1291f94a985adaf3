/**
 * Data access for the comparison view: one side's label per image, either a
 * population's stored modal label (analysis_images) or one model's predictions.
 */
import type { ReadableDb } from '../db/database.js';

/** Modal label per image_index of a variant (dense included); empty when the variant is unknown. */
export function modalLabels(db: ReadableDb, experimentId: number, variant: string): Map<number, number> {
  const rows = db.prepare('SELECT image_index, modal_label FROM analysis_images WHERE experiment_id = ? AND variant = ?').raw().all(experimentId, variant) as [number, number][];
  return new Map(rows);
}

/** A model's predicted label per image_index; empty when the model is not one of the experiment's. */
export function modelLabels(db: ReadableDb, experimentId: number, modelId: number): Map<number, number> {
  const rows = db
    .prepare('SELECT p.image_index, p.predicted_label FROM predictions p JOIN models m ON m.id = p.model_id WHERE m.experiment_id = ? AND m.id = ?')
    .raw()
    .all(experimentId, modelId) as [number, number][];
  return new Map(rows);
}

/** True label per image_index of the experiment. */
export function trueLabels(db: ReadableDb, experimentId: number): Map<number, number> {
  const rows = db.prepare('SELECT image_index, true_label FROM experiment_images WHERE experiment_id = ?').raw().all(experimentId) as [number, number][];
  return new Map(rows);
}
