import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ModelImportSettingsSchema } from '../api/contract/models.js';
import { checkRequest, optionName } from '../api/validate.js';
import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import { findDataset } from '../datasets/store.js';
import { findEvaluatedExperiment, readTestSplit, storeEvaluatedRun, type TestSplit } from '../sql/evaluated-models.js';
import { formatShape, type Dim } from './loaded-model.js';
import { parseManifest, readManifest, type Manifest, type ManifestModel } from './manifest.js';
import { checkStaysInFolder } from './model-file.js';
import { measuredSparsityOf, openModel } from './open-model.js';
import { inputBatch, modelPixels } from './preprocess.js';
import { runModels, type ModelRunEvent, type ModelRunSummary, type RunnableModel } from './runner.js';
import { emptyPredictions, scoreBatch } from './scores.js';
import { refreshAfterWrite } from '../analysis/refresh.js';

export const DEFAULT_BATCH_SIZE = 128;
/** Images every model is tried on before anything is written. */
const PROBE_IMAGES = 8;

export interface ImportModelsRequest {
  dataset?: string;
  manifest?: string;
  name?: string;
  workers?: number;
  batchSize?: number;
  resume?: boolean;
  /** with resume: which experiment (default: the newest evaluated one with unfinished models) */
  experimentId?: number;
}

export interface ModelDescription {
  file: string;
  variant: string;
  seed: number;
  inputName: string;
  inputShape: string;
  outputName: string;
  outputShape: string;
  outputWidth: number;
  measuredSparsity: number;
}

export interface ImportModelsOutcome extends ModelRunSummary {
  /** null when nothing was stored (a run cancelled before any model finished) */
  experimentId: number | null;
  models: ModelDescription[];
  resumedModels: number;
}

/** What an evaluated experiment keeps in its config: enough to resume it. */
export interface EvaluatedConfig {
  manifestPath: string;
  manifest: unknown;
  batchSize: number;
  /** sha256 of each model file by absolute path: a resumed run refuses changed files */
  files: Record<string, string>;
}

export function fileHash(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The batch size's range is the API's and the command line's (ModelImportSettingsSchema). */
const BATCH_SIZE = ModelImportSettingsSchema.pick({ batchSize: true });

function checkBatchSize(batchSize: number): number {
  return checkRequest(BATCH_SIZE, { batchSize }, { name: optionName }).batchSize ?? batchSize;
}

/**
 * Opens every model, checks its input against the manifest, runs it on the first images
 * and checks its output (width = the dataset's classes, no NaN), and reads its
 * sparsity: every check that can fail happens here, before anything is written.
 */
export async function describeModels(manifest: Manifest, split: TestSplit, pixels: Uint8Array, only?: Set<string>): Promise<ModelDescription[]> {
  const descriptions: ModelDescription[] = [];
  const probe = Math.min(PROBE_IMAGES, split.count);
  for (const m of manifest.models) {
    if (only && !only.has(m.file)) continue;
    if (!fs.existsSync(m.file)) throw new UserError(`${m.file}: model file not found (listed in ${manifest.path})`);
    checkStaysInFolder(m.file, manifest.path);
    const model = await openModel(m, manifest.input);
    try {
      const { values, width } = await model.run(inputBatch(pixels, 0, probe, manifest.input), probe);
      if (width !== split.numClasses) {
        throw new UserError(`${m.file}: output '${model.outputName}' has ${width} values per image (shape ${formatShape(model.outputShape)}); the dataset has ${split.numClasses} classes`);
      }
      const problem = scoreBatch(values, width, probe, manifest.output, split.labels, 0, emptyPredictions(probe));
      if (problem) throw new UserError(`${m.file}: ${problem}`);
      descriptions.push({
        file: m.file,
        variant: m.variant,
        seed: m.seed,
        inputName: model.inputName,
        inputShape: formatShape(model.inputShape as Dim[]),
        outputName: model.outputName,
        outputShape: formatShape(model.outputShape as Dim[]),
        outputWidth: width,
        measuredSparsity: await measuredSparsityOf(m),
      });
    } finally {
      await model.dispose();
    }
  }
  return descriptions;
}

/** What the app shows before a run: each model's input and output, checked against the dataset (nothing is written). */
export async function inspectModels(db: Db, datasetName: string, manifestFile: string): Promise<ModelDescription[]> {
  const manifest = readManifest(manifestFile);
  const dataset = findDataset(db, datasetName);
  const split = readTestSplit(db, dataset.id, dataset.name);
  // only the probed images are prepared: a large folder dataset is decoded by the run itself
  const head: TestSplit = { ...split, count: Math.min(PROBE_IMAGES, split.count), source: headOf(split.source, PROBE_IMAGES) };
  return describeModels(manifest, head, await modelPixels(head.source, manifest.input));
}

function headOf(source: TestSplit['source'], n: number): TestSplit['source'] {
  const count = Math.min(n, source.count);
  if (source.kind === 'files') return { kind: 'files', count, paths: source.paths.slice(0, count) };
  return { ...source, count, pixels: source.pixels.subarray(0, count * source.width * source.height * source.channels) };
}

function runnable(m: ManifestModel, modelId: number): RunnableModel {
  return { modelId, file: m.file, format: m.format, inputName: m.inputName, outputName: m.outputName, variant: m.variant, seed: m.seed };
}

function shared(values: Uint8Array | Uint16Array): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(values.byteLength);
  new Uint8Array(buffer).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return buffer;
}

/**
 * pie-audit models import: a new evaluated population, or the rest of an interrupted one.
 * Every model runs to the end before anything is written; then the experiment, its
 * models and all their predictions are stored in one transaction. So a model whose
 * output turns bad after the probed images, or a kill at any moment, leaves the
 * database as it was. A cancelled run (Ctrl+C, the app's Cancel) stores the models
 * that finished, and `--resume` runs the others.
 */
export async function importModels(
  db: Db,
  request: ImportModelsRequest,
  onEvent?: (e: ModelRunEvent) => void,
  signal?: AbortSignal,
  onStarted?: (experimentId: number | null, descriptions: ModelDescription[]) => void,
): Promise<ImportModelsOutcome> {
  let manifest: Manifest;
  let split: TestSplit;
  let resumed: number | undefined;
  let batchSize: number;
  let datasetId: number;
  /** the models to run; `id` is the stored model's id on resume, else its place in the manifest */
  let pending: { model: ManifestModel; id: number }[];
  if (request.resume) {
    const found = findEvaluatedExperiment(db, request.experimentId);
    if (!found) throw new UserError(request.experimentId !== undefined ? `no evaluated experiment ${request.experimentId}` : 'nothing to resume: every evaluated experiment is complete');
    const config = JSON.parse(found.config) as EvaluatedConfig;
    manifest = parseManifest(config.manifest, config.manifestPath);
    batchSize = checkBatchSize(request.batchSize ?? config.batchSize);
    split = readTestSplit(db, found.datasetId, found.datasetName);
    resumed = found.id;
    datasetId = found.datasetId;
    const idOf = new Map(found.models.map((r) => [`${r.variant}\u0000${r.seed}`, r]));
    pending = manifest.models.flatMap((model) => {
      const row = idOf.get(`${model.variant}\u0000${model.seed}`);
      return row && row.status !== 'done' ? [{ model, id: row.id }] : [];
    });
    for (const { model } of pending) {
      if (!fs.existsSync(model.file)) throw new UserError(`${model.file}: model file not found (needed to resume experiment ${found.id})`);
      if (fileHash(model.file) !== config.files[model.file]) throw new UserError(`${model.file}: the file changed since experiment ${found.id} started; import it as a new population instead`);
    }
  } else {
    if (!request.dataset) throw new UserError('--dataset is required (see: pie-audit datasets list)');
    if (!request.manifest) throw new UserError('--manifest is required (a JSON file listing the models; see docs/own-models.md)');
    manifest = readManifest(request.manifest);
    batchSize = checkBatchSize(request.batchSize ?? DEFAULT_BATCH_SIZE);
    const dataset = findDataset(db, request.dataset);
    split = readTestSplit(db, dataset.id, dataset.name);
    datasetId = dataset.id;
    pending = manifest.models.map((model, i) => ({ model, id: i + 1 }));
  }
  const pixels = await modelPixels(split.source, manifest.input);
  const descriptions = await describeModels(manifest, split, pixels, new Set(pending.map((p) => p.model.file)));
  // read before the run: a file changed during it must not be recorded as the one that ran
  const files = resumed === undefined ? Object.fromEntries(manifest.models.map((m) => [m.file, fileHash(m.file)])) : {};

  onStarted?.(resumed ?? null, descriptions);
  const run = await runModels(
    pending.map((p) => runnable(p.model, p.id)),
    { input: manifest.input, output: manifest.output, batchSize, count: split.count, numClasses: split.numClasses, pixels: shared(pixels), labels: shared(split.labels), workers: request.workers, onEvent, signal },
  );
  const { results: _results, failedIds: _failedIds, ...summary } = run;
  let experimentId: number | null;
  if (resumed !== undefined) {
    experimentId = storeEvaluatedRun(db, { experimentId: resumed }, run.results.values(), run.failedIds);
  } else if (run.results.size === 0 && run.failedIds.length === 0) {
    experimentId = null; // cancelled before any model finished: nothing to keep
  } else {
    const config: EvaluatedConfig = { manifestPath: manifest.path, manifest: JSON.parse(fs.readFileSync(manifest.path, 'utf8')), batchSize, files };
    const datasetName = findDataset(db, request.dataset ?? '').name;
    const experiment = {
      name: request.name ?? `${path.basename(manifest.path).replace(/\.json$/i, '')} on ${datasetName}`,
      datasetId,
      config,
      labels: split.labels,
      imageIds: split.imageIds,
      models: manifest.models.map((m) => ({ variant: m.variant, method: m.method, targetSparsity: m.targetSparsity, seed: m.seed, arch: `${m.format}:${path.basename(m.file)}`, source: m.file })),
    };
    experimentId = storeEvaluatedRun(db, { experiment }, run.results.values(), run.failedIds);
  }
  if (experimentId !== null) refreshAfterWrite(db, experimentId); // the analysis is kept current where predictions are written
  return { ...summary, experimentId, models: descriptions, resumedModels: resumed === undefined ? 0 : pending.length };
}
