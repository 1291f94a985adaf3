/** models: the members of an experiment's populations, as listed and exported. */
import type { Row } from '../export/writers.js';
import { nowIso } from '../db/database.js';
import type { ReadableDb, WritableDb } from './handles.js';

export const MODEL_COLUMNS = ['model_id', 'experiment_id', 'variant', 'method', 'target_sparsity', 'measured_sparsity', 'seed', 'arch', 'backend', 'epochs', 'top1', 'status'] as const;

export interface ModelRow {
  id: number;
  variant: string;
  method: 'dense' | 'magnitude' | 'fp16' | 'int8';
  targetSparsity: number;
  measuredSparsity: number | null;
  seed: number;
  arch: string;
  backend: string | null;
  epochs: number | null;
  top1: number | null;
  status: 'pending' | 'running' | 'done' | 'failed';
  startedAt: string | null;
  finishedAt: string | null;
}

interface RawModel {
  id: number;
  variant: string;
  method: ModelRow['method'];
  target_sparsity: number;
  measured_sparsity: number | null;
  seed: number;
  arch: string;
  backend: string | null;
  epochs: number | null;
  top1: number | null;
  status: ModelRow['status'];
  started_at: string | null;
  finished_at: string | null;
}

function toModel(r: RawModel): ModelRow {
  return {
    id: r.id,
    variant: r.variant,
    method: r.method,
    targetSparsity: r.target_sparsity,
    measuredSparsity: r.measured_sparsity,
    seed: r.seed,
    arch: r.arch,
    backend: r.backend,
    epochs: r.epochs,
    top1: r.top1,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export function experimentModelRows(db: ReadableDb, experimentId: number): ModelRow[] {
  const rows = db
    .prepare(
      `SELECT id, variant, method, target_sparsity, measured_sparsity, seed, arch, backend, epochs, top1, status, started_at, finished_at
       FROM models WHERE experiment_id = ? ORDER BY id`,
    )
    .all(experimentId) as RawModel[];
  return rows.map(toModel);
}

/** The variants of an experiment, in the order their first model was made. */
export function experimentVariants(db: ReadableDb, experimentId: number): string[] {
  return db.prepare('SELECT variant FROM models WHERE experiment_id = ? GROUP BY variant ORDER BY min(id)').pluck().all(experimentId) as string[];
}

export interface FinishedModel {
  id: number;
  variant: string;
  method: string;
  targetSparsity: number;
}

export function finishedModels(db: ReadableDb, experimentId: number): FinishedModel[] {
  return (
    db.prepare("SELECT id, variant, method, target_sparsity FROM models WHERE experiment_id = ? AND status = 'done' ORDER BY id").all(experimentId) as {
      id: number;
      variant: string;
      method: string;
      target_sparsity: number;
    }[]
  ).map((m) => ({ id: m.id, variant: m.variant, method: m.method, targetSparsity: m.target_sparsity }));
}

/** The models export, in MODEL_COLUMNS. */
export function modelExportRows(db: ReadableDb, experimentId: number): Row[] {
  return db
    .prepare(
      `SELECT id AS model_id, experiment_id, variant, method, target_sparsity, measured_sparsity, seed, arch, backend, epochs, top1, status
       FROM models WHERE experiment_id = ? ORDER BY id`,
    )
    .all(experimentId) as Row[];
}

export interface VariantRow {
  variant: string;
  method: string;
  targetSparsity: number;
}

/** The compressed variants (dense aside) with at least one finished model. */
export function finishedCompressedVariants(db: ReadableDb, experimentId: number): VariantRow[] {
  return (
    db.prepare("SELECT DISTINCT variant, method, target_sparsity FROM models WHERE experiment_id = ? AND status = 'done' AND variant <> 'dense'").all(experimentId) as {
      variant: string;
      method: string;
      target_sparsity: number;
    }[]
  ).map((v) => ({ variant: v.variant, method: v.method, targetSparsity: v.target_sparsity }));
}

/** [id, variant, finished_at] of the finished models, by id: what the stored analysis's signature is made of. */
export function finishedModelStamps(db: ReadableDb, experimentId: number): { id: number; variant: string; finished_at: string | null }[] {
  return db
    .prepare("SELECT id, variant, finished_at FROM models WHERE experiment_id = ? AND status = 'done' ORDER BY id")
    .all(experimentId) as { id: number; variant: string; finished_at: string | null }[];
}

export interface FinishedPopulationModel {
  id: number;
  variant: string;
  method: string;
  targetSparsity: number;
  seed: number;
}

/** The finished models with what the analysis groups them by, by id. */
export function finishedPopulationModels(db: ReadableDb, experimentId: number): FinishedPopulationModel[] {
  return (
    db.prepare("SELECT id, variant, method, target_sparsity, seed FROM models WHERE experiment_id = ? AND status = 'done' ORDER BY id").all(experimentId) as {
      id: number;
      variant: string;
      method: string;
      target_sparsity: number;
      seed: number;
    }[]
  ).map((r) => ({ id: r.id, variant: r.variant, method: r.method, targetSparsity: r.target_sparsity, seed: r.seed }));
}

export interface PlannedModelRow {
  id: number;
  variant: string;
  method: ModelRow['method'];
  targetSparsity: number;
  seed: number;
  status: ModelRow['status'];
}

/** Every model of a trained experiment with its training status, by id. */
export function plannedModelRows(db: ReadableDb, experimentId: number): PlannedModelRow[] {
  return (
    db.prepare('SELECT id, variant, method, target_sparsity, seed, status FROM models WHERE experiment_id = ? ORDER BY id').all(experimentId) as {
      id: number;
      variant: string;
      method: ModelRow['method'];
      target_sparsity: number;
      seed: number;
      status: ModelRow['status'];
    }[]
  ).map((r) => ({ id: r.id, variant: r.variant, method: r.method, targetSparsity: r.target_sparsity, seed: r.seed, status: r.status }));
}

export interface NewPlannedModel {
  variant: string;
  method: ModelRow['method'];
  targetSparsity: number;
  seed: number;
  arch: string;
  epochs: number;
}

/** One prepared insert for a run's pending models. */
export function plannedModelInserter(db: WritableDb, experimentId: number): (model: NewPlannedModel) => void {
  const insert = db.prepare("INSERT INTO models (experiment_id, variant, method, target_sparsity, seed, arch, epochs, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')");
  return (m) => {
    insert.run(experimentId, m.variant, m.method, m.targetSparsity, m.seed, m.arch, m.epochs);
  };
}

export interface NewImportedModel {
  variant: string;
  method: string;
  targetSparsity: number;
  seed: number;
  /** null until known (an import storing rows while it reads sets it at the end). */
  top1: number | null;
  source: string;
  finishedAt: string;
}

/** One prepared insert for an import's finished models; returns the new model's id. */
export function importedModelInserter(db: WritableDb, experimentId: number): (model: NewImportedModel) => number {
  const insert = db.prepare(
    `INSERT INTO models (experiment_id, variant, method, target_sparsity, measured_sparsity, seed, arch, backend, epochs, top1, status, source, finished_at)
     VALUES (?, ?, ?, ?, NULL, ?, 'unknown', NULL, NULL, ?, 'done', ?, ?)`,
  );
  return (m) => Number(insert.run(experimentId, m.variant, m.method, m.targetSparsity, m.seed, m.top1, m.source, m.finishedAt).lastInsertRowid);
}

/** Sets a model's top-1 (an import that stored the model before all its rows were read). */
export function modelTop1Setter(db: WritableDb): (modelId: number, top1: number) => void {
  const update = db.prepare('UPDATE models SET top1 = ? WHERE id = ?');
  return (modelId, top1) => void update.run(top1, modelId);
}

export interface ModelDone {
  modelId: number;
  backend: string;
  measuredSparsity: number;
  top1: number;
  weightsPath: string;
}

/** Marks a trained or evaluated model finished (inside the transaction that wrote its predictions). */
export function markModelDone(db: WritableDb, done: ModelDone): void {
  db.prepare("UPDATE models SET status = 'done', backend = ?, measured_sparsity = ?, top1 = ?, weights_path = ?, finished_at = ? WHERE id = ?").run(
    done.backend,
    done.measuredSparsity,
    done.top1,
    done.weightsPath,
    nowIso(),
    done.modelId,
  );
}

export function markModelRunning(db: WritableDb, modelId: number): void {
  db.prepare("UPDATE models SET status = 'running', started_at = ? WHERE id = ?").run(nowIso(), modelId);
}

export function markModelFailed(db: WritableDb, modelId: number): void {
  db.prepare("UPDATE models SET status = 'failed' WHERE id = ?").run(modelId);
}

/** Every model of the experiment that did not finish goes back to pending, without predictions; returns how many. */
export function resetUnfinishedModels(db: WritableDb, experimentId: number): number {
  return db.transaction(() => {
    db.prepare("DELETE FROM predictions WHERE model_id IN (SELECT id FROM models WHERE experiment_id = ? AND status <> 'done')").run(experimentId);
    return db.prepare("UPDATE models SET status = 'pending', started_at = NULL WHERE experiment_id = ? AND status <> 'done'").run(experimentId).changes;
  })();
}
