import type { Db } from '../db/database.js';
import { stopPoint } from '../stop-points.js';
import { markModelDone, markModelFailed, markModelRunning, resetUnfinishedModels } from '../sql/models.js';
import { replaceModelPredictions, type PredictionArrays } from '../sql/predictions.js';

export interface ModelResult extends PredictionArrays {
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
  replaceModelPredictions(
    db,
    'clean',
    [result.modelId],
    result,
    () => markModelDone(db, result),
    () => stopPoint('train-commit'), // crash tests only: see stop-points.ts
  );
}

export function markRunning(db: Db, modelId: number): void {
  markModelRunning(db, modelId);
}

export function markFailed(db: Db, modelId: number): void {
  markModelFailed(db, modelId);
}

/** Before resuming: every model that did not finish goes back to pending, without predictions. */
export function resetUnfinished(db: Db, experimentId: number): number {
  return resetUnfinishedModels(db, experimentId);
}
