/**
 * Read-side queries behind the results, grid and image screens. Everything here reads
 * the stored analysis (ensureAnalysis recomputes it first when the finished models
 * changed) and answers in the shapes of contract.ts.
 */
import { ensureAnalysis } from '../analysis/analyse.js';
import { DEFAULT_CIE_QUANTILE, isCie } from '../analysis/cie.js';
import { classNames } from '../analysis/report.js';
import { cieColumn } from '../sql/cie-distances.js';
import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import { classImpactRows } from '../export/analysis-tables.js';
import type { ClassImpactDto, ExperimentSummaryDto, ImageDetailDto, ModelSummaryDto, PieColumnsDto } from './contract.js';

interface ExperimentRow {
  id: number;
  name: string;
  dataset: string | null;
  dataset_id: number | null;
  origin: 'trained' | 'imported' | 'evaluated';
  config: string;
  created_at: string;
  images: number;
  total: number;
  done: number;
  failed: number;
  running: number;
  analysed: number;
}

export function listExperiments(db: Db): ExperimentSummaryDto[] {
  const rows = db
    .prepare(
      `SELECT e.id, e.name, d.name AS dataset, e.dataset_id, e.origin, e.config, e.created_at,
         (SELECT count(*) FROM experiment_images ei WHERE ei.experiment_id = e.id) AS images,
         (SELECT count(*) FROM models m WHERE m.experiment_id = e.id) AS total,
         (SELECT count(*) FROM models m WHERE m.experiment_id = e.id AND m.status = 'done') AS done,
         (SELECT count(*) FROM models m WHERE m.experiment_id = e.id AND m.status = 'failed') AS failed,
         (SELECT count(*) FROM models m WHERE m.experiment_id = e.id AND m.status = 'running') AS running,
         (SELECT count(*) FROM analysis_runs r WHERE r.experiment_id = e.id) AS analysed
       FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id ORDER BY e.id DESC`,
    )
    .all() as ExperimentRow[];
  const variants = db.prepare('SELECT variant FROM models WHERE experiment_id = ? GROUP BY variant ORDER BY min(id)').pluck();
  return rows.map((r) => {
    let preset: string | null = null;
    try {
      const config = JSON.parse(r.config) as { preset?: unknown };
      preset = typeof config.preset === 'string' ? config.preset : null;
    } catch {
      preset = null;
    }
    return {
      id: r.id,
      name: r.name,
      dataset: r.dataset,
      origin: r.origin,
      preset,
      createdAt: r.created_at,
      images: r.images,
      variants: variants.all(r.id) as string[],
      models: { total: r.total, done: r.done, failed: r.failed, running: r.running, pending: r.total - r.done - r.failed - r.running },
    };
  });
}

export function experimentExists(db: Db, experimentId: number): void {
  if (db.prepare('SELECT 1 FROM experiments WHERE id = ?').get(experimentId) === undefined) throw new UserError(`no experiment ${experimentId}`);
}

export function experimentModels(db: Db, experimentId: number): ModelSummaryDto[] {
  experimentExists(db, experimentId);
  const rows = db
    .prepare(
      `SELECT id, variant, method, target_sparsity, measured_sparsity, seed, arch, backend, epochs, top1, status, started_at, finished_at
       FROM models WHERE experiment_id = ? ORDER BY id`,
    )
    .all(experimentId) as {
    id: number;
    variant: string;
    method: ModelSummaryDto['method'];
    target_sparsity: number;
    measured_sparsity: number | null;
    seed: number;
    arch: string;
    backend: string | null;
    epochs: number | null;
    top1: number | null;
    status: ModelSummaryDto['status'];
    started_at: string | null;
    finished_at: string | null;
  }[];
  return rows.map((r) => ({
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
  }));
}

export function classImpact(db: Db, experimentId: number): ClassImpactDto[] {
  experimentExists(db, experimentId);
  return [...classImpactRows(db, experimentId)].map((r) => ({
    variant: String(r.variant),
    targetSparsity: Number(r.pruning_fraction),
    class: Number(r.class),
    className: String(r.class_name),
    baselineMeanRecall: Number(r.baseline_mean_recall),
    variantMeanRecall: Number(r.variant_mean_recall),
    statistic: r.statistic_recall_norm === null ? null : Number(r.statistic_recall_norm),
    pvalue: r.pvalue_recall_norm === null ? null : Number(r.pvalue_recall_norm),
    qvalue: r.qvalue === null ? null : Number(r.qvalue),
    significant: Number(r.significant) === 1,
  }));
}

const round4 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10000) / 10000);

/**
 * Every image of the experiment for one compressed variant, as columns (one array per
 * field, index-aligned): about 10 numbers per image, so 10,000 images are a few
 * hundred kilobytes of JSON and one SQL pass.
 */
export function pieColumns(db: Db, experimentId: number, variant: string | undefined): PieColumnsDto {
  experimentExists(db, experimentId);
  ensureAnalysis(db, experimentId);
  const variants = db.prepare("SELECT variant FROM analysis_variants WHERE experiment_id = ? AND variant <> 'dense' ORDER BY position").pluck().all(experimentId) as string[];
  if (variants.length === 0) throw new UserError(`experiment ${experimentId} has no compressed variant to compare with dense`);
  const chosen = variant ?? variants[variants.length - 1] ?? '';
  if (!variants.includes(chosen)) throw new UserError(`experiment ${experimentId} has no variant '${chosen.slice(0, 60)}' (it has ${variants.join(', ')})`);
  const rows = db
    .prepare(
      `SELECT a.image_index, ei.image_id, ei.true_label, a.modal_label, a.modal_votes, a.number_observ, a.tie, a.is_pie,
              a.mean_true_probability, a.self_confidence, a.normalized_margin,
              d.modal_label, d.modal_votes, d.number_observ, d.tie, d.mean_true_probability
       FROM analysis_images a
       JOIN analysis_images d ON d.experiment_id = a.experiment_id AND d.variant = 'dense' AND d.image_index = a.image_index
       JOIN experiment_images ei ON ei.experiment_id = a.experiment_id AND ei.image_index = a.image_index
       WHERE a.experiment_id = ? AND a.variant = ? ORDER BY a.image_index`,
    )
    .raw()
    .all(experimentId, chosen) as [number, number | null, number, number, number, number, number, number, number | null, number, number, number, number, number, number, number | null][];
  const n = rows.length;
  const out: PieColumnsDto = {
    experimentId,
    variant: chosen,
    variants,
    classes: classNames(db, experimentId),
    count: n,
    pies: 0,
    imageIndex: new Array<number>(n),
    imageId: new Array<number | null>(n),
    trueLabel: new Array<number>(n),
    isPie: new Array<number>(n),
    modal: new Array<number>(n),
    votes: new Array<number>(n),
    observ: new Array<number>(n),
    tie: new Array<number>(n),
    denseModal: new Array<number>(n),
    denseVotes: new Array<number>(n),
    denseObserv: new Array<number>(n),
    denseTie: new Array<number>(n),
    meanTrueProbability: new Array<number | null>(n),
    denseMeanTrueProbability: new Array<number | null>(n),
    selfConfidence: new Array<number>(n),
    normalizedMargin: new Array<number>(n),
    cieDistance: new Array<number>(n).fill(0),
    isCie: new Array<number>(n).fill(0),
    cies: 0,
    cieQuantile: DEFAULT_CIE_QUANTILE,
  };
  const cie = cieColumn(db, experimentId, chosen, DEFAULT_CIE_QUANTILE);
  rows.forEach((r, i) => {
    out.imageIndex[i] = r[0];
    out.imageId[i] = r[1];
    out.trueLabel[i] = r[2];
    out.modal[i] = r[3];
    out.votes[i] = r[4];
    out.observ[i] = r[5];
    out.tie[i] = r[6];
    out.isPie[i] = r[7];
    if (r[7]) out.pies++;
    out.meanTrueProbability[i] = round4(r[8]);
    out.selfConfidence[i] = round4(r[9]) ?? 0;
    out.normalizedMargin[i] = round4(r[10]) ?? 0;
    out.denseModal[i] = r[11];
    out.denseVotes[i] = r[12];
    out.denseObserv[i] = r[13];
    out.denseTie[i] = r[14];
    out.denseMeanTrueProbability[i] = round4(r[15]);
    out.cieDistance[i] = round4(cie.distances.get(r[0]) ?? 0) ?? 0;
    out.isCie[i] = isCie(cie.distances.get(r[0]) ?? 0, cie.threshold) ? 1 : 0;
    out.cies += out.isCie[i] ?? 0;
  });
  return out;
}

/**
 * One image: its true label, every population's vote histogram (from the predictions,
 * one key lookup per model) and the stored per-image scores.
 */
export function imageDetail(db: Db, experimentId: number, imageIndex: number): ImageDetailDto {
  experimentExists(db, experimentId);
  const image = db.prepare('SELECT true_label, image_id FROM experiment_images WHERE experiment_id = ? AND image_index = ?').get(experimentId, imageIndex) as
    | { true_label: number; image_id: number | null }
    | undefined;
  if (!image) throw new UserError(`image ${imageIndex} is not in experiment ${experimentId}`);
  try {
    ensureAnalysis(db, experimentId);
  } catch (error) {
    // No finished dense population yet: the votes are still worth showing.
    if (!(error instanceof UserError)) throw error;
  }
  const classes = classNames(db, experimentId);
  const models = db
    .prepare("SELECT id, variant, method, target_sparsity FROM models WHERE experiment_id = ? AND status = 'done' ORDER BY id")
    .all(experimentId) as { id: number; variant: string; method: string; target_sparsity: number }[];
  const prediction = db.prepare('SELECT predicted_label, predicted_probability, true_label_probability FROM predictions WHERE model_id = ? AND image_index = ?').raw();
  const scores = db
    .prepare(
      `SELECT a.variant, a.modal_label, a.modal_votes, a.number_observ, a.agreement, a.tie, a.is_pie, a.mean_true_probability, a.self_confidence, a.normalized_margin, v.position
       FROM analysis_images a JOIN analysis_variants v ON v.experiment_id = a.experiment_id AND v.variant = a.variant
       WHERE a.experiment_id = ? AND a.image_index = ?`,
    )
    .all(experimentId, imageIndex) as {
    variant: string;
    modal_label: number;
    modal_votes: number;
    number_observ: number;
    agreement: number;
    tie: number;
    is_pie: number | null;
    mean_true_probability: number | null;
    self_confidence: number;
    normalized_margin: number;
    position: number;
  }[];
  const byVariant = new Map<string, { method: string; targetSparsity: number; votes: number[]; models: number }>();
  let numClasses = classes.length;
  for (const m of models) {
    const row = prediction.get(m.id, imageIndex) as [number, number, number | null] | undefined;
    if (!row) continue;
    const entry = byVariant.get(m.variant) ?? { method: m.method, targetSparsity: m.target_sparsity, votes: [], models: 0 };
    entry.votes[row[0]] = (entry.votes[row[0]] ?? 0) + 1;
    entry.models++;
    numClasses = Math.max(numClasses, row[0] + 1);
    byVariant.set(m.variant, entry);
  }
  const position = new Map(scores.map((s) => [s.variant, s]));
  const populations = [...byVariant.entries()]
    .map(([variant, p]) => {
      const s = position.get(variant);
      return {
        variant,
        method: p.method,
        targetSparsity: p.targetSparsity,
        models: p.models,
        votes: Array.from({ length: numClasses }, (_, c) => p.votes[c] ?? 0),
        modal: s?.modal_label ?? null,
        agreement: s?.agreement ?? null,
        tie: s ? s.tie === 1 : null,
        isPie: s && s.is_pie !== null ? s.is_pie === 1 : null,
        meanTrueProbability: s?.mean_true_probability ?? null,
        selfConfidence: s?.self_confidence ?? null,
        normalizedMargin: s?.normalized_margin ?? null,
        position: s?.position ?? 1000,
      };
    })
    .sort((a, b) => a.position - b.position || a.variant.localeCompare(b.variant))
    .map(({ position: _position, ...rest }) => rest);
  const count = db.prepare('SELECT count(*) FROM experiment_images WHERE experiment_id = ?').pluck().get(experimentId) as number;
  return {
    experimentId,
    imageIndex,
    images: count,
    imageId: image.image_id,
    trueLabel: image.true_label,
    classes: Array.from({ length: numClasses }, (_, c) => classes[c] ?? String(c)),
    populations,
  };
}
