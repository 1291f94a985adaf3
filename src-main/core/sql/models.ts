/** models: the members of an experiment's populations, as listed and exported. */
import type { Row } from '../export/writers.js';
import type { ReadableDb } from './handles.js';

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
