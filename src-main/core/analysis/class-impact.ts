import type { ExperimentData, PopulationModel, Variant } from './population-data.js';
import { benjaminiHochberg, mean, welchTTest } from './statistics.js';

export interface ClassImpact {
  class: number;
  baselineMeanRecall: number;
  variantMeanRecall: number;
  statistic: number;
  pvalue: number;
  qvalue: number;
  significant: boolean;
}

export interface ModelScores {
  top1: number;
  /** recall per class (NaN for a class with no images) */
  recall: Float64Array;
}

export function scoreModel(model: PopulationModel, data: ExperimentData): ModelScores {
  const correct = new Float64Array(data.numClasses);
  const total = new Float64Array(data.numClasses);
  let right = 0;
  for (let i = 0; i < data.numImages; i++) {
    const label = data.trueLabels[i] ?? 0;
    total[label] = (total[label] ?? 0) + 1;
    if (model.predicted[i] === label) {
      correct[label] = (correct[label] ?? 0) + 1;
      right++;
    }
  }
  const recall = new Float64Array(data.numClasses);
  for (let c = 0; c < data.numClasses; c++) recall[c] = (total[c] ?? 0) === 0 ? NaN : (correct[c] ?? 0) / (total[c] ?? 1);
  return { top1: right / data.numImages, recall };
}

/**
 * Class-level impact of a variant, as the reference code's gen_tstatistic.py: per class,
 * every model's recall minus its population's mean top-1; Welch's t-test of the dense
 * values against the variant's (positive t: the class lost more than top-1 did);
 * Benjamini-Hochberg q-values over the variant's classes; significant at q <= 0.05.
 * Classes without test images (a label only some model predicts) have no row.
 */
export function classImpact(dense: Variant, variant: Variant, scores: Map<number, ModelScores>, numClasses: number): ClassImpact[] {
  const denseScores = dense.models.map((m) => scores.get(m.id)).filter((s): s is ModelScores => s !== undefined);
  const variantScores = variant.models.map((m) => scores.get(m.id)).filter((s): s is ModelScores => s !== undefined);
  const denseTop1 = mean(denseScores.map((s) => s.top1));
  const variantTop1 = mean(variantScores.map((s) => s.top1));
  const rows: Omit<ClassImpact, 'qvalue' | 'significant'>[] = [];
  for (let c = 0; c < numClasses; c++) {
    const base = denseScores.map((s) => s.recall[c] ?? NaN);
    const vari = variantScores.map((s) => s.recall[c] ?? NaN);
    // A class with no test images has no recall: it has no impact to measure (and no row).
    if (base.every(Number.isNaN) && vari.every(Number.isNaN)) continue;
    const test = base.some(Number.isNaN) ? { statistic: NaN, pvalue: NaN } : welchTTest(base.map((r) => r - denseTop1), vari.map((r) => r - variantTop1));
    rows.push({ class: c, baselineMeanRecall: mean(base), variantMeanRecall: mean(vari), statistic: test.statistic, pvalue: test.pvalue });
  }
  const q = benjaminiHochberg(rows.map((r) => r.pvalue));
  return rows.map((r, i) => ({ ...r, qvalue: q[i] ?? NaN, significant: (q[i] ?? NaN) <= 0.05 }));
}
