import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { stopPoint } from '../stop-points.js';

export interface ModelResult {
  modelId: number;
  backend: string;
  measuredSparsity: number;
  top1: number;
  weightsPath: string;
  predicted: Uint8Array | Uint16Array;
  predictedProbability: Float32Array;
  trueLabelProbability: Float32Array;
}

/**
 * Writes a finished model: all its predictions and its 'done' status in one
 * transaction. A model killed before this commit has no predictions and is retrained
 * on resume; one killed after it is complete. Any rows left for the model are
 * replaced, so nothing is ever written twice.
 */
export function saveModelResult(db: Db, result: ModelResult): void {
  const remove = db.prepare('DELETE FROM predictions WHERE model_id = ?');
  const insert = db.prepare(
    'INSERT INTO predictions (model_id, image_index, predicted_label, predicted_probability, true_label_probability) VALUES (?, ?, ?, ?, ?)',
  );
  const update = db.prepare(
    "UPDATE models SET status = 'done', backend = ?, measured_sparsity = ?, top1 = ?, weights_path = ?, finished_at = ? WHERE id = ?",
  );
  db.transaction(() => {
    remove.run(result.modelId);
    const n = result.predicted.length;
    for (let i = 0; i < n; i++) {
      insert.run(result.modelId, i, result.predicted[i], result.predictedProbability[i], result.trueLabelProbability[i]);
    }
    stopPoint('train-commit'); // crash tests only: see stop-points.ts
    update.run(result.backend, result.measuredSparsity, result.top1, result.weightsPath, nowIso(), result.modelId);
  })();
}

export function markRunning(db: Db, modelId: number): void {
  db.prepare("UPDATE models SET status = 'running', started_at = ? WHERE id = ?").run(nowIso(), modelId);
}

export function markFailed(db: Db, modelId: number): void {
  db.prepare("UPDATE models SET status = 'failed' WHERE id = ?").run(modelId);
}

/** Before resuming: every model that did not finish goes back to pending, without predictions. */
export function resetUnfinished(db: Db, experimentId: number): number {
  return db.transaction(() => {
    db.prepare("DELETE FROM predictions WHERE model_id IN (SELECT id FROM models WHERE experiment_id = ? AND status <> 'done')").run(experimentId);
    return db.prepare("UPDATE models SET status = 'pending', started_at = NULL WHERE experiment_id = ? AND status <> 'done'").run(experimentId).changes;
  })();
}
