import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { experimentDatasetClassNames } from '../sql/experiments.js';
import { UserError } from '../errors.js';
import { corruptImages, corruptionSetName, type CorruptionName } from '../corruptions/index.js';
import { findDataset } from '../datasets/store.js';
import { datasetShape } from '../sql/datasets.js';
import { ensureEvalSet, evaluableExperiment, finishedModelIds, finishedModels, saveEvalRun, type EvalSet, type FinishedModel } from '../sql/eval-sets.js';
import { selectBackend, type BackendName } from '../training/backend.js';
import { BACKENDS } from '../training/backend-names.js';
import { loadSplit, normalise, type SplitData } from '../training/data.js';
import { predict } from '../training/evaluate.js';
import { loadWeights, type ModelMeta } from '../training/weights-io.js';
import type { Weights } from '../training/trainer.js';
import { resizeSplit } from './resize.js';
import { importedRunner } from './imported-runner.js';
import type { PopulationRunner } from './set-predictor.js';
import { refreshAfterWrite } from '../analysis/refresh.js';

export interface EvaluateRequest {
  experimentId: number;
  corruptions?: CorruptionName[];
  severities?: number[];
  /** Another dataset's test split with the same classes. */
  onDataset?: string;
}

export type EvaluateEvent =
  | { type: 'started'; sets: number; models: number; todo: number; backend: string }
  | { type: 'set-started'; set: EvalSet }
  | { type: 'model-done'; set: EvalSet; modelId: number; variant: string; top1: number; done: number; todo: number };

export interface EvaluateOutcome {
  sets: EvalSet[];
  evaluated: number;
  skipped: number;
  cancelled: boolean;
  seconds: number;
  backend: string;
}

interface PlannedSet {
  spec: Omit<EvalSet, 'id'>;
  /** Builds the set's images (corrupted copies are made only when a model still needs them). */
  images: () => SplitData;
}

/**
 * pie-audit evaluate: every finished model of an experiment (trained here, or imported
 * as model files) on corrupted copies
 * of its test split or on another dataset's test split. Each (set, model) is written
 * in one transaction when done; a rerun skips the finished pairs (resume).
 */
export async function evaluateExperiment(db: Db, request: EvaluateRequest, onEvent?: (e: EvaluateEvent) => void, signal?: AbortSignal): Promise<EvaluateOutcome> {
  const started = performance.now();
  const experiment = evaluableExperiment(db, request.experimentId);
  if (!experiment) throw new UserError(`no experiment ${request.experimentId}`);
  if (experiment.origin === 'imported' || experiment.datasetId === null) {
    throw new UserError(`experiment ${request.experimentId} is ${experiment.origin}: its predictions were imported without models, so there is nothing to run on other images`);
  }
  const models = finishedModels(db, experiment.id);
  if (models.length === 0) throw new UserError(`experiment ${experiment.id} has no finished models to evaluate (finish it with pie-audit ${experiment.origin === 'trained' ? 'train' : 'models import'} --resume)`);
  if (datasetShape(db, experiment.datasetId)?.kind === 'folder') throw new UserError(`experiment ${experiment.id} is on a folder dataset: it keeps no pixels to corrupt or resize (evaluate needs an idx, mnist, fashion-mnist or cifar10 dataset)`);
  const test = loadSplit(db, experiment.datasetId, 'test');
  if (test.count !== experiment.images) throw new UserError(`experiment ${experiment.id} has ${experiment.images} images but its dataset's test split has ${test.count}`);
  const planned = planSets(db, experiment.id, request, test);
  // Every check that can refuse happens before the first set is written.
  const runner = experiment.origin === 'trained' ? await trainedRunner(models) : await importedRunner(db, experiment.id, models);
  const backend = runner.backend;

  const sets = planned.map((p) => ensureEvalSet(db, p.spec));
  const todoBySet = sets.map((set) => {
    const done = finishedModelIds(db, set.id);
    return models.filter((m) => !done.has(m.id));
  });
  const todo = todoBySet.reduce((n, list) => n + list.length, 0);
  onEvent?.({ type: 'started', sets: sets.length, models: models.length, todo, backend });
  let done = 0;
  let cancelled = false;
  for (let s = 0; s < sets.length && !cancelled; s++) {
    const set = sets[s];
    const pending = todoBySet[s] ?? [];
    const plan = planned[s];
    if (!set || !plan || pending.length === 0) continue;
    onEvent?.({ type: 'set-started', set });
    const predictOn = runner.forSet(plan.images());
    for (const model of pending) {
      if (signal?.aborted) {
        cancelled = true;
        break;
      }
      const result = await predictOn(model);
      saveEvalRun(db, { evalSetId: set.id, modelId: model.id, ...result });
      done++;
      onEvent?.({ type: 'model-done', set, modelId: model.id, variant: model.variant, top1: result.top1, done, todo });
      // Let a cancel signal (SIGINT) through between models.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  // The shift metrics are brought up to date where the predictions were written, so reading never writes.
  if (done > 0) refreshAfterWrite(db, experiment.id);
  return { sets, evaluated: done, skipped: sets.length * models.length - todo, cancelled, seconds: (performance.now() - started) / 1000, backend };
}

function planSets(db: Db, experimentId: number, request: EvaluateRequest, test: SplitData): PlannedSet[] {
  const shape = { width: test.input.width, height: test.input.height, channels: test.input.channels };
  if (request.onDataset !== undefined) {
    if (request.corruptions !== undefined) throw new UserError('give either --corruptions or --on, not both');
    const other = findDataset(db, request.onDataset);
    const own = experimentDatasetClassNames(db, experimentId);
    if (other.classes.length !== own.length || other.classes.some((name, i) => name !== own[i])) {
      throw new UserError(`--on ${other.name}: its classes (${other.classes.join(', ')}) are not the experiment's (${own.join(', ')})`);
    }
    if (other.kind === 'folder' || other.width === 0) throw new UserError(`--on ${other.name}: a folder dataset keeps no pixels to run models on (add it as idx, or a dataset of one image size)`);
    if (other.channels !== shape.channels) throw new UserError(`--on ${other.name}: its images have ${other.channels} channels, the models take ${shape.channels}; they cannot be resized to fit`);
    if (other.test === 0) throw new UserError(`--on ${other.name}: it has no test images`);
    return [
      {
        spec: { experimentId, name: other.name, kind: 'dataset', corruption: null, severity: null, datasetId: other.id, images: other.test },
        images: () => resizeSplit(loadSplit(db, other.id, 'test'), shape),
      },
    ];
  }
  const corruptions = request.corruptions ?? [];
  if (corruptions.length === 0) throw new UserError('give --corruptions all|NAME,... or --on DATASET');
  const severities = request.severities ?? [1, 2, 3, 4, 5];
  return corruptions.flatMap((name) =>
    severities.map((severity) => ({
      spec: { experimentId, name: corruptionSetName(name, severity), kind: 'corruption' as const, corruption: name, severity, datasetId: null, images: test.count },
      images: () => ({ ...test, pixels: corruptImages(test.pixels, test.count, shape, name, severity) }),
    })),
  );
}

/** A trained population: each model's stored weights on its own backend, so an identity set reproduces the clean predictions bit for bit. */
async function trainedRunner(models: FinishedModel[]): Promise<PopulationRunner> {
  for (const m of models) {
    if (!m.weightsPath || !fs.existsSync(path.join(m.weightsPath, 'model.json'))) throw new UserError(`model ${m.id} (${m.variant}): its weights are missing (${m.weightsPath ?? 'no path'})`);
  }
  const backendName = models[0]?.backend ?? undefined;
  const preferred = (BACKENDS as readonly string[]).includes(backendName ?? '') ? (backendName as BackendName) : undefined;
  const { name: backend } = await selectBackend(preferred);
  const weights = new Map<number, { meta: ModelMeta; params: Weights }>();
  const weightsOf = (m: FinishedModel): { meta: ModelMeta; params: Weights } => {
    let w = weights.get(m.id);
    if (!w) {
      w = loadWeights(m.weightsPath ?? '');
      weights.set(m.id, w);
    }
    return w;
  };
  return {
    backend,
    forSet(images) {
      const normalised = new Map<string, Float32Array>();
      return (model) => {
        const { meta, params } = weightsOf(model);
        const key = `${meta.normalisation.mean}:${meta.normalisation.std}`;
        let x = normalised.get(key);
        if (!x) {
          x = normalise(images.pixels, meta.normalisation);
          normalised.set(key, x);
        }
        return Promise.resolve(predict(meta.arch, params, x, images.labels, meta.input, meta.numClasses));
      };
    },
  };
}
