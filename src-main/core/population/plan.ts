import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { SplitData } from '../training/data.js';
import { trainedVariantName, type PopulationConfig } from './presets.js';

export interface PlannedModel {
  id: number;
  variant: string;
  method: 'dense' | 'magnitude' | 'fp16' | 'int8';
  targetSparsity: number;
  seed: number;
  status: 'pending' | 'running' | 'done' | 'failed';
  /** Quantized models: the dense model whose weights they quantize. */
  sourceModelId?: number;
}

/**
 * Seeds: trained variant v (its index in the sparsity list) and member k get seed
 * base + 1000 * v + k, so populations are independent of each other; a quantized model
 * shares the seed of the dense model it was made from.
 */
export function createExperiment(db: Db, datasetId: number, datasetName: string, config: PopulationConfig, test: SplitData): number {
  return db.transaction(() => {
    const experimentId = Number(
      db
        .prepare("INSERT INTO experiments (name, dataset_id, origin, config, created_at) VALUES (?, ?, 'trained', ?, ?)")
        .run(`${datasetName} ${config.preset} ${nowIso().slice(0, 16).replace('T', ' ')}`, datasetId, JSON.stringify(config), nowIso()).lastInsertRowid,
    );
    const insertImage = db.prepare('INSERT INTO experiment_images (experiment_id, image_index, true_label, image_id) VALUES (?, ?, ?, ?)');
    for (let i = 0; i < test.count; i++) insertImage.run(experimentId, i, test.labels[i], test.imageIds[i]);
    const insertModel = db.prepare(
      "INSERT INTO models (experiment_id, variant, method, target_sparsity, seed, arch, epochs, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
    );
    config.sparsities.forEach((sparsity, v) => {
      for (let k = 0; k < config.models; k++) {
        insertModel.run(experimentId, trainedVariantName(sparsity), sparsity === 0 ? 'dense' : 'magnitude', sparsity, config.seed + 1000 * v + k, config.arch, config.epochs);
      }
    });
    for (const method of config.quantize) {
      for (let k = 0; k < config.models; k++) insertModel.run(experimentId, method, method, 0, config.seed + k, config.arch, config.epochs);
    }
    return experimentId;
  })();
}

interface ModelRow {
  id: number;
  variant: string;
  method: PlannedModel['method'];
  target_sparsity: number;
  seed: number;
  status: PlannedModel['status'];
}

export function plannedModels(db: Db, experimentId: number): PlannedModel[] {
  const rows = db
    .prepare('SELECT id, variant, method, target_sparsity, seed, status FROM models WHERE experiment_id = ? ORDER BY id')
    .all(experimentId) as ModelRow[];
  const denseBySeed = new Map(rows.filter((r) => r.method === 'dense').map((r) => [r.seed, r.id]));
  return rows.map((r) => ({
    id: r.id,
    variant: r.variant,
    method: r.method,
    targetSparsity: r.target_sparsity,
    seed: r.seed,
    status: r.status,
    sourceModelId: r.method === 'fp16' || r.method === 'int8' ? denseBySeed.get(r.seed) : undefined,
  }));
}
