import crypto from 'node:crypto';
import type { Db, ReadableDb } from '../db/database.js';
import { analysedClassCount, variantCleanTop1 } from '../sql/analysis-summary.js';
import { evalPredictedLabels, evalRunsFingerprint, evalSetModels, evalSetTrueLabels, listEvalSets, storeShift, storedShift, type EvalSet } from '../sql/eval-sets.js';
import { ensureAnalysis } from './analyse.js';
import { isDiskFull } from '../errors.js';
import { countVotes } from './modal.js';
import { modelsSignature, type PopulationModel } from './population-data.js';
import { mean, variance, welchTTest } from './statistics.js';

/** One row of the shift table: a variant's population on one evaluation set. */
export interface ShiftRow {
  eval_set: string;
  corruption: string | null;
  severity: number | null;
  variant: string;
  top1_mean: number;
  top1_std: number;
  relative_change: number | null;
  amplification: number | null;
  pvalue: number | null;
  pies: number | null;
  /** The corruption error of this variant on this set's corruption (repeated on each severity's row). */
  ce: number | null;
}

export interface ShiftResult {
  rows: ShiftRow[];
  /** variant -> mean corruption error over the evaluated corruptions other than identity (dense = 1); null without any. */
  mce: Record<string, number | null>;
}

/** A population's predictions on one set: per variant, its models' predicted labels. */
export interface SetPopulation {
  name: string;
  corruption: string | null;
  severity: number | null;
  trueLabels: Uint16Array;
  variants: Map<string, Uint16Array[]>;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function top1Of(predicted: Uint16Array, truth: Uint16Array): number {
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
  return right / truth.length;
}

/**
 * The shift metrics (docs/science.md): per set and variant the population's top-1
 * mean and sd; relative change against dense on the same set; amplification, that
 * change minus the same on the clean test set; Welch's p of the two populations'
 * top-1; PIEs on the set by the modal rule; CE_c = sum_s E_v / sum_s E_dense with
 * E = 1 - mean top-1, and mCE its mean over corruptions.
 */
export function computeShift(variantOrder: string[], cleanTop1Mean: Map<string, number>, sets: SetPopulation[], numClasses: number): ShiftResult {
  const rows: ShiftRow[] = [];
  const cleanDense = cleanTop1Mean.get('dense');
  for (const set of sets) {
    const n = set.trueLabels.length;
    const dense = set.variants.get('dense');
    const denseTop1 = dense?.map((p) => top1Of(p, set.trueLabels));
    const denseMean = denseTop1 ? mean(denseTop1) : NaN;
    const denseModal = dense ? countVotes(asVariant('dense', dense), n, numClasses).modal : undefined;
    for (const name of variantOrder) {
      const predictions = set.variants.get(name);
      if (!predictions || predictions.length === 0) continue;
      const top1 = predictions.map((p) => top1Of(p, set.trueLabels));
      const m = mean(top1);
      const relative = denseTop1 ? (m - denseMean) / denseMean : NaN;
      const cleanV = cleanTop1Mean.get(name);
      const cleanRelative = cleanV !== undefined && cleanDense !== undefined ? (cleanV - cleanDense) / cleanDense : NaN;
      let pies: number | null = null;
      if (name !== 'dense' && denseModal) {
        const modal = countVotes(asVariant(name, predictions), n, numClasses).modal;
        pies = 0;
        for (let i = 0; i < n; i++) if (modal[i] !== denseModal[i]) pies++;
      }
      rows.push({
        eval_set: set.name,
        corruption: set.corruption,
        severity: set.severity,
        variant: name,
        top1_mean: m,
        top1_std: top1.length > 1 ? Math.sqrt(variance(top1)) : 0,
        relative_change: finite(relative),
        amplification: finite(relative - cleanRelative),
        pvalue: name === 'dense' || !denseTop1 ? null : finite(welchTTest(top1, denseTop1).pvalue),
        pies,
        ce: null,
      });
    }
  }
  // Corruption error per (variant, corruption), over the severities both populations have.
  const mce: Record<string, number | null> = {};
  for (const name of variantOrder) {
    const ces: number[] = [];
    const corruptions = [...new Set(rows.filter((r) => r.corruption !== null && r.variant === name).map((r) => r.corruption as string))];
    for (const corruption of corruptions) {
      let errV = 0;
      let errD = 0;
      for (const r of rows.filter((x) => x.corruption === corruption && x.variant === name)) {
        const d = rows.find((x) => x.eval_set === r.eval_set && x.variant === 'dense');
        if (!d) continue;
        errV += 1 - r.top1_mean;
        errD += 1 - d.top1_mean;
      }
      const ce = errD > 0 ? errV / errD : NaN;
      for (const r of rows) if (r.corruption === corruption && r.variant === name) r.ce = finite(ce);
      if (corruption !== 'identity' && Number.isFinite(ce)) ces.push(ce);
    }
    mce[name] = ces.length === 0 ? null : mean(ces);
  }
  return { rows, mce };
}

function asVariant(name: string, predictions: Uint16Array[]): { name: string; method: string; targetSparsity: number; models: PopulationModel[] } {
  return {
    name,
    method: '',
    targetSparsity: 0,
    models: predictions.map((predicted, id) => ({ id, variant: name, method: '', targetSparsity: 0, seed: 0, predicted, trueProbability: new Float64Array(0) })),
  };
}

/** What the stored shift metrics depend on: the finished models and every finished evaluation run. */
function shiftSignature(db: ReadableDb, experimentId: number): string {
  return crypto.createHash('sha256').update(`${modelsSignature(db, experimentId)}\n${evalRunsFingerprint(db, experimentId)}`).digest('hex');
}

/**
 * The shift metrics of an experiment: the stored ones when they match its models and
 * evaluation runs (refreshShift keeps them so after every write), otherwise computed
 * here without storing, so reading never writes.
 */
export function experimentShift(db: ReadableDb, experimentId: number): ShiftResult {
  const stored = storedShift(db, experimentId, shiftSignature(db, experimentId));
  return stored !== undefined ? (JSON.parse(stored) as ShiftResult) : computeExperimentShift(db, experimentId);
}

/** Brings the clean analysis and the stored shift metrics up to date (each recomputed only when stale). */
export function refreshShift(db: Db, experimentId: number): void {
  ensureAnalysis(db, experimentId);
  const signature = shiftSignature(db, experimentId);
  if (storedShift(db, experimentId, signature) !== undefined) return;
  try {
    storeShift(db, experimentId, signature, JSON.stringify(computeExperimentShift(db, experimentId)));
  } catch (error) {
    // Stored only to spare the next read the work: on a full disk readers compute it unstored.
    if (!isDiskFull(error)) throw error;
  }
}

/** From the stored clean analysis (keep it current first) and every evaluation prediction. */
function computeExperimentShift(db: ReadableDb, experimentId: number): ShiftResult {
  const variants = variantCleanTop1(db, experimentId);
  const numClasses = analysedClassCount(db, experimentId);
  const sets = listEvalSets(db, experimentId).map((set) => loadSetPopulation(db, set));
  return computeShift(
    variants.map(([v]) => v),
    new Map(variants),
    sets.filter((s) => s.variants.size > 0),
    numClasses,
  );
}

function loadSetPopulation(db: ReadableDb, set: EvalSet): SetPopulation {
  const models = evalSetModels(db, set.id);
  const variants = new Map<string, Uint16Array[]>();
  for (const [id, variant] of models) {
    const list = variants.get(variant) ?? [];
    list.push(evalPredictedLabels(db, set.id, id, set.images));
    variants.set(variant, list);
  }
  return { name: set.name, corruption: set.corruption, severity: set.severity, trueLabels: evalSetTrueLabels(db, set), variants };
}
