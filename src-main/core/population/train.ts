import fs from 'node:fs';
import type { Db } from '../db/database.js';
import { TrainSettingsSchema } from '../api/contract/runs.js';
import { checkRequest, optionName } from '../api/validate.js';
import { UserError } from '../errors.js';
import { findDataset } from '../datasets/store.js';
import { selectBackend } from '../training/backend.js';
import { loadSplit } from '../training/data.js';
import { createExperiment } from './plan.js';
import { presetDesign, type PopulationConfig, type PresetName } from './presets.js';
import { runPopulation, weightsRootFor, type PopulationEvent, type RunSummary } from './runner.js';
import { resetUnfinished } from './store.js';
import { checkLongTail, classCountsOf, longTailSelection, subsetSplit } from './long-tail.js';
import { saveClassCounts, saveTrainImages, trainImageIds } from '../sql/class-counts.js';
import { trainedExperimentToResume } from '../sql/experiments.js';
import { inTransaction } from '../sql/transaction.js';
import { refreshAfterWrite } from '../analysis/refresh.js';

export interface TrainRequest {
  dataset?: string;
  preset?: PresetName;
  overrides?: Partial<Omit<PopulationConfig, 'preset'>>;
  resume?: boolean;
  /** With resume: which experiment (default: the newest trained one with unfinished models). */
  experimentId?: number;
  workers?: number;
}

export interface TrainOutcome extends RunSummary {
  experimentId: number;
  config: PopulationConfig;
  backend: string;
  resumedModels: number;
}

const CONFIG_RANGES = TrainSettingsSchema.pick({ models: true, sparsities: true, quantize: true, epochs: true, batchSize: true, trainLimit: true, seed: true, longTail: true });

/** Builds the run's configuration from a preset and explicit settings, and checks it. */
export function resolveConfig(preset: PresetName, overrides: Partial<Omit<PopulationConfig, 'preset'>> = {}): PopulationConfig {
  const base = presetDesign(preset, overrides.arch ?? 'mlp');
  const designKeys = ['models', 'sparsities', 'quantize', 'epochs', 'batchSize', 'learningRate', 'learningRateSchedule', 'trainLimit', 'longTail'] as const;
  const custom = designKeys.some((k) => overrides[k] !== undefined && JSON.stringify(overrides[k]) !== JSON.stringify(base[k]));
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<PopulationConfig>;
  const config: PopulationConfig = { ...base, arch: 'mlp', seed: 1, ...defined, preset: custom ? 'custom' : preset };
  if (!config.sparsities.includes(0)) config.sparsities = [0, ...config.sparsities];
  config.sparsities = [...new Set(config.sparsities)].sort((a, b) => a - b);
  // The ranges of the API and the command line (TrainSettingsSchema), checked once more on the merged settings.
  const { models, sparsities, quantize, epochs, batchSize, trainLimit, seed, longTail } = config;
  checkRequest(CONFIG_RANGES, { models, sparsities, quantize, epochs, batchSize, trainLimit, seed, longTail }, { name: optionName });
  return config;
}

/** pie-audit train: a new population run, or the rest of an interrupted one. */
export async function trainPopulation(
  db: Db,
  databasePath: string,
  request: TrainRequest,
  onEvent?: (e: PopulationEvent) => void,
  signal?: AbortSignal,
  onStarted?: (experimentId: number, backend: string) => void,
): Promise<TrainOutcome> {
  let experimentId: number | undefined;
  let datasetId: number;
  let datasetName = '';
  let config: PopulationConfig;
  let resumedModels = 0;
  if (request.resume) {
    const row = trainedExperimentToResume(db, request.experimentId);
    if (!row) throw new UserError(request.experimentId !== undefined ? `no trained experiment ${request.experimentId}` : 'nothing to resume: every trained experiment is complete');
    experimentId = row.id;
    datasetId = row.datasetId;
    config = JSON.parse(row.config) as PopulationConfig;
    if (request.overrides?.backend) config.backend = request.overrides.backend;
  } else {
    if (!request.dataset) throw new UserError('--dataset is required (see: pie-audit datasets list)');
    const dataset = findDataset(db, request.dataset);
    if (dataset.train === 0) throw new UserError(`dataset '${dataset.name}' has no training images`);
    if (dataset.test === 0) throw new UserError(`dataset '${dataset.name}' has no test images to evaluate on`);
    config = resolveConfig(request.preset ?? 'quick', request.overrides);
    // Kept with the experiment so a resume (from another page, after a reload, from the
    // CLI) runs as many models at once as the run was started with.
    if (request.workers !== undefined) config.workers = request.workers;
    if (config.longTail) checkLongTail(config.longTail, dataset.classes.length, dataset.classes);
    datasetId = dataset.id;
    datasetName = dataset.name;
  }
  // Settings the backend cannot run are refused before anything is written.
  const { name: backend } = await selectBackend(config.backend);
  const test = loadSplit(db, datasetId, 'test');
  let train = loadSplit(db, datasetId, 'train', config.trainLimit);
  if (experimentId === undefined) {
    const longTail = config.longTail;
    if (longTail) train = subsetSplit(train, longTailSelection(train, longTail, config.seed));
    const kept = train;
    // The experiment, its class counts and a long-tail run's kept images: all or nothing.
    experimentId = inTransaction(db, () => {
      const id = createExperiment(db, datasetId, datasetName, config, test);
      saveClassCounts(db, id, classCountsOf(kept));
      if (longTail) saveTrainImages(db, id, kept.imageIds);
      return id;
    });
  } else {
    resumedModels = resetUnfinished(db, experimentId);
    const keep = trainImageIds(db, experimentId);
    if (keep) {
      const rows: number[] = [];
      for (let i = 0; i < train.count; i++) if (keep.has(train.imageIds[i] ?? -1)) rows.push(i);
      train = subsetSplit(train, rows);
    }
  }
  onStarted?.(experimentId, backend);
  const weightsRoot = weightsRootFor(databasePath);
  fs.mkdirSync(weightsRoot, { recursive: true });
  const summary = await runPopulation(db, { experimentId, train, test, config, workers: request.workers ?? config.workers, weightsRoot, onEvent, signal });
  if (summary.cancelled) resetUnfinished(db, experimentId);
  refreshAfterWrite(db, experimentId); // the analysis is kept current where predictions are written
  return { ...summary, experimentId, config, backend, resumedModels };
}
