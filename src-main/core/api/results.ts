/**
 * Read-side queries behind the results, grid and image screens. Everything here reads
 * the stored analysis through a read-only handle type: the writers keep it current, and
 * on a database left stale the caller takes the explicit step (refreshAnalysis) first.
 * Answers are in the shapes of the contract.
 */
import { DEFAULT_CIE_QUANTILE, isCie } from '../analysis/cie.js';
import { classNames } from '../analysis/report.js';
import { cieColumn } from '../sql/cie-distances.js';
import { experimentAttributes } from '../sql/image-attributes.js';
import { analysedCompressedVariants, imageScoreRows, pieImageRows } from '../sql/analysis.js';
import { experimentImage, experimentImageCount, listExperimentRows, resolveExperiment } from '../sql/experiments.js';
import type { ReadableDb } from '../sql/handles.js';
import { experimentModelRows, experimentVariants, finishedModels } from '../sql/models.js';
import { imagePredictions } from '../sql/predictions.js';
import { UserError } from '../errors.js';
import { classImpactRows } from '../export/analysis-tables.js';
import type { ClassImpactDto, ExperimentSummaryDto, ImageDetailDto, ModelSummaryDto, PieColumnsDto } from './contract.js';

export function listExperiments(db: ReadableDb): ExperimentSummaryDto[] {
  return listExperimentRows(db).map((r) => {
    let preset: string | null = null;
    try {
      const config = JSON.parse(r.config) as { preset?: unknown };
      preset = typeof config.preset === 'string' ? config.preset : null;
    } catch {
      preset = null;
    }
    const { total, done, failed, running } = r.models;
    return {
      id: r.id,
      name: r.name,
      dataset: r.dataset,
      origin: r.origin,
      preset,
      createdAt: r.createdAt,
      images: r.images,
      variants: experimentVariants(db, r.id),
      models: { total, done, failed, running, pending: total - done - failed - running },
    };
  });
}

export function experimentModels(db: ReadableDb, experimentId: number): ModelSummaryDto[] {
  resolveExperiment(db, experimentId);
  return experimentModelRows(db, experimentId);
}

export function classImpact(db: ReadableDb, experimentId: number): ClassImpactDto[] {
  resolveExperiment(db, experimentId);
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
    trainCount: r.train_count === null || r.train_count === undefined ? null : Number(r.train_count),
  }));
}

const round4 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10000) / 10000);

/**
 * Every image of the experiment for one compressed variant, as columns (one array per
 * field, index-aligned): about 10 numbers per image, so 10,000 images are a few
 * hundred kilobytes of JSON and one SQL pass.
 */
export function pieColumns(db: ReadableDb, experimentId: number, variant: string | undefined, cieQuantile = DEFAULT_CIE_QUANTILE): PieColumnsDto {
  resolveExperiment(db, experimentId);
  const variants = analysedCompressedVariants(db, experimentId);
  if (variants.length === 0) throw new UserError(`experiment ${experimentId} has no compressed variant to compare with dense`);
  const chosen = variant ?? variants[variants.length - 1] ?? '';
  if (!variants.includes(chosen)) throw new UserError(`experiment ${experimentId} has no variant '${chosen.slice(0, 60)}' (it has ${variants.join(', ')})`);
  const rows = pieImageRows(db, experimentId, chosen);
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
    cieQuantile,
    attributes: [],
  };
  const cie = cieColumn(db, experimentId, chosen, cieQuantile);
  rows.forEach((r, i) => {
    out.imageIndex[i] = r.imageIndex;
    out.imageId[i] = r.imageId;
    out.trueLabel[i] = r.trueLabel;
    out.modal[i] = r.modal;
    out.votes[i] = r.votes;
    out.observ[i] = r.observ;
    out.tie[i] = r.tie;
    out.isPie[i] = r.isPie;
    if (r.isPie) out.pies++;
    out.meanTrueProbability[i] = round4(r.meanTrueProbability);
    out.selfConfidence[i] = round4(r.selfConfidence) ?? 0;
    out.normalizedMargin[i] = round4(r.normalizedMargin) ?? 0;
    out.denseModal[i] = r.denseModal;
    out.denseVotes[i] = r.denseVotes;
    out.denseObserv[i] = r.denseObserv;
    out.denseTie[i] = r.denseTie;
    out.denseMeanTrueProbability[i] = round4(r.denseMeanTrueProbability);
    out.cieDistance[i] = round4(cie.distances.get(r.imageIndex) ?? 0) ?? 0;
    out.isCie[i] = isCie(cie.distances.get(r.imageIndex) ?? 0, cie.threshold) ? 1 : 0;
    out.cies += out.isCie[i] ?? 0;
  });
  out.attributes = attributeColumns(db, experimentId, out.imageIndex);
  return out;
}

/** Per attribute, its values (sorted) and each row's value as a position in them (-1: none). */
function attributeColumns(db: ReadableDb, experimentId: number, imageIndex: readonly number[]): PieColumnsDto['attributes'] {
  const row = new Map(imageIndex.map((index, i) => [index, i]));
  return [...experimentAttributes(db, experimentId)].map(([name, byValue]) => {
    const codes = new Array<number>(imageIndex.length).fill(-1);
    const values = [...byValue.keys()];
    values.forEach((value, code) => {
      for (const index of byValue.get(value) ?? []) {
        const i = row.get(index);
        if (i !== undefined) codes[i] = code;
      }
    });
    return { name, values, codes };
  });
}

/**
 * One image: its true label, every population's vote histogram (from the predictions,
 * one key lookup per model) and the stored per-image scores.
 */
export function imageDetail(db: ReadableDb, experimentId: number, imageIndex: number): ImageDetailDto {
  resolveExperiment(db, experimentId);
  const image = experimentImage(db, experimentId, imageIndex);
  if (!image) throw new UserError(`image ${imageIndex} is not in experiment ${experimentId}`);
  const classes = classNames(db, experimentId);
  const models = finishedModels(db, experimentId);
  const predictions = imagePredictions(db, models.map((m) => m.id), imageIndex);
  const scores = imageScoreRows(db, experimentId, imageIndex);
  const byVariant = new Map<string, { method: string; targetSparsity: number; votes: number[]; models: number }>();
  let numClasses = classes.length;
  for (const m of models) {
    const predicted = predictions.get(m.id)?.predictedLabel;
    if (predicted === undefined) continue;
    const entry = byVariant.get(m.variant) ?? { method: m.method, targetSparsity: m.targetSparsity, votes: [], models: 0 };
    entry.votes[predicted] = (entry.votes[predicted] ?? 0) + 1;
    entry.models++;
    numClasses = Math.max(numClasses, predicted + 1);
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
        modal: s?.modal ?? null,
        agreement: s?.agreement ?? null,
        tie: s ? s.tie === 1 : null,
        isPie: s && s.isPie !== null ? s.isPie === 1 : null,
        meanTrueProbability: s?.meanTrueProbability ?? null,
        selfConfidence: s?.selfConfidence ?? null,
        normalizedMargin: s?.normalizedMargin ?? null,
        position: s?.position ?? 1000,
      };
    })
    .sort((a, b) => a.position - b.position || a.variant.localeCompare(b.variant))
    .map(({ position: _position, ...rest }) => rest);
  return {
    experimentId,
    imageIndex,
    images: experimentImageCount(db, experimentId),
    imageId: image.imageId,
    trueLabel: image.trueLabel,
    classes: Array.from({ length: numClasses }, (_, c) => classes[c] ?? String(c)),
    populations,
  };
}
