import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { experimentImageInserter, insertExperiment } from '../sql/experiments.js';
import { plannedModelInserter, plannedModelRows } from '../sql/models.js';
import { inTransaction } from '../sql/transaction.js';
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
  return inTransaction(db, () => {
    const experimentId = insertExperiment(db, {
      name: `${datasetName} ${config.preset} ${nowIso().slice(0, 16).replace('T', ' ')}`,
      datasetId,
      origin: 'trained',
      config: JSON.stringify(config),
      createdAt: nowIso(),
    });
    const insertImage = experimentImageInserter(db);
    for (let i = 0; i < test.count; i++) insertImage(experimentId, i, test.labels[i] as number, test.imageIds[i] as number);
    const insertModel = plannedModelInserter(db, experimentId);
    const { arch, epochs } = config;
    config.sparsities.forEach((sparsity, v) => {
      for (let k = 0; k < config.models; k++) {
        insertModel({ variant: trainedVariantName(sparsity), method: sparsity === 0 ? 'dense' : 'magnitude', targetSparsity: sparsity, seed: config.seed + 1000 * v + k, arch, epochs });
      }
    });
    for (const method of config.quantize) {
      for (let k = 0; k < config.models; k++) insertModel({ variant: method, method, targetSparsity: 0, seed: config.seed + k, arch, epochs });
    }
    return experimentId;
  });
}

export function plannedModels(db: Db, experimentId: number): PlannedModel[] {
  const rows = plannedModelRows(db, experimentId);
  const denseBySeed = new Map(rows.filter((r) => r.method === 'dense').map((r) => [r.seed, r.id]));
  return rows.map((r) => ({
    ...r,
    sourceModelId: r.method === 'fp16' || r.method === 'int8' ? denseBySeed.get(r.seed) : undefined,
  }));
}
