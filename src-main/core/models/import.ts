import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import { findDataset } from '../datasets/store.js';
import { resetUnfinished } from '../population/store.js';
import { findEvaluatedExperiment, insertEvaluatedExperiment, readTestSplit, type TestSplit } from '../sql/evaluated-models.js';
import { formatShape, type Dim } from './loaded-model.js';
import { parseManifest, readManifest, type Manifest, type ManifestModel } from './manifest.js';
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
  experimentId: number;
  models: ModelDescription[];
  resumedModels: number;
}

/** What an evaluated experiment keeps in its config: enough to resume it. */
interface EvaluatedConfig {
  manifestPath: string;
  manifest: unknown;
  batchSize: number;
  /** sha256 of each model file by absolute path: a resumed run refuses changed files */
  files: Record<string, string>;
}

function fileHash(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function checkBatchSize(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 65536) throw new UserError(`--batch-size must be 1..65536, not ${n}`);
  return n;
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

function shared(bytes: Uint8Array): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

/** pie-audit models import: a new evaluated population, or the rest of an interrupted one. */
export async function importModels(
  db: Db,
  request: ImportModelsRequest,
  onEvent?: (e: ModelRunEvent) => void,
  signal?: AbortSignal,
  onStarted?: (experimentId: number, descriptions: ModelDescription[]) => void,
): Promise<ImportModelsOutcome> {
  let manifest: Manifest;
  let split: TestSplit;
  let experimentId: number | undefined;
  let batchSize: number;
  let pending: { model: ManifestModel; id?: number }[];
  let resumedModels = 0;
  if (request.resume) {
    const found = findEvaluatedExperiment(db, request.experimentId);
    if (!found) throw new UserError(request.experimentId !== undefined ? `no evaluated experiment ${request.experimentId}` : 'nothing to resume: every evaluated experiment is complete');
    const config = JSON.parse(found.config) as EvaluatedConfig;
    manifest = parseManifest(config.manifest, config.manifestPath);
    batchSize = checkBatchSize(request.batchSize ?? config.batchSize);
    split = readTestSplit(db, found.datasetId, found.datasetName);
    experimentId = found.id;
    const idOf = new Map(found.models.map((r) => [`${r.variant}\u0000${r.seed}`, r]));
    pending = manifest.models
      .map((model) => ({ model, row: idOf.get(`${model.variant}\u0000${model.seed}`) }))
      .filter((x) => x.row && x.row.status !== 'done')
      .map((x) => ({ model: x.model, id: x.row?.id }));
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
    pending = manifest.models.map((model) => ({ model }));
  }
  const pixels = await modelPixels(split.source, manifest.input);
  const descriptions = await describeModels(manifest, split, pixels, new Set(pending.map((p) => p.model.file)));

  if (experimentId === undefined) {
    const dataset = findDataset(db, request.dataset ?? '');
    const config: EvaluatedConfig = {
      manifestPath: manifest.path,
      manifest: JSON.parse(fs.readFileSync(manifest.path, 'utf8')),
      batchSize,
      files: Object.fromEntries(manifest.models.map((m) => [m.file, fileHash(m.file)])),
    };
    const name = request.name ?? `${path.basename(manifest.path).replace(/\.json$/i, '')} on ${dataset.name}`;
    const created = insertEvaluatedExperiment(db, {
      name,
      datasetId: dataset.id,
      config,
      labels: split.labels,
      imageIds: split.imageIds,
      models: manifest.models.map((m) => ({ variant: m.variant, method: m.method, targetSparsity: m.targetSparsity, seed: m.seed, arch: `${m.format}:${path.basename(m.file)}`, source: m.file })),
    });
    experimentId = created.experimentId;
    pending = manifest.models.map((model, i) => ({ model, id: created.modelIds[i] }));
  } else {
    resumedModels = resetUnfinished(db, experimentId);
  }
  onStarted?.(experimentId, descriptions);
  const summary = await runModels(
    db,
    pending.map((p) => runnable(p.model, p.id ?? -1)),
    { input: manifest.input, output: manifest.output, batchSize, count: split.count, numClasses: split.numClasses, pixels: shared(pixels), labels: shared(split.labels), workers: request.workers, onEvent, signal },
  );
  if (summary.cancelled) resetUnfinished(db, experimentId);
  refreshAfterWrite(db, experimentId); // the analysis is kept current where predictions are written
  return { ...summary, experimentId, models: descriptions, resumedModels };
}
