import type { Db, ReadableDb } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { UserError, isDiskFull } from '../errors.js';
import { replaceAnalysis, storedAnalysisSignature } from '../sql/analysis.js';
import { cieDistancesMissing, storeCieDistances } from '../sql/cie-distances.js';
import { cieDistances } from './cie.js';
import { classImpact, scoreModel, type ModelScores } from './class-impact.js';
import { countVotes, type VariantVotes } from './modal.js';
import { loadExperiment, modelsSignature, type ExperimentData, type Variant } from './population-data.js';
import { mean, variance } from './statistics.js';

export interface AnalysisStatus {
  experimentId: number;
  recomputed: boolean;
  seconds: number;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** True when the stored analysis matches the experiment's finished models (reading it needs no recomputation). */
export function analysisIsCurrent(db: ReadableDb, experimentId: number): boolean {
  const stored = storedAnalysisSignature(db, experimentId);
  // An analysis stored before CIE distances existed is recomputed once to add them.
  return stored !== undefined && stored === modelsSignature(db, experimentId) && !cieDistancesMissing(db, experimentId);
}

/**
 * Makes sure the stored analysis of an experiment matches its predictions: recomputes
 * (modal labels, PIEs, per-image scores, class impact, headline table) only when the
 * set of finished models changed since the last run, and stores it in one transaction.
 */
export function ensureAnalysis(db: Db, experimentId: number, options: { force?: boolean } = {}): AnalysisStatus {
  if (!options.force && analysisIsCurrent(db, experimentId)) {
    return { experimentId, recomputed: false, seconds: 0 };
  }
  const started = performance.now();
  const data = loadExperiment(db, experimentId);
  const result = computeAnalysis(data);
  try {
    storeAnalysis(db, data, result, (performance.now() - started) / 1000);
  } catch (error) {
    // The screens and reports read the stored analysis; on a full disk it cannot be
    // brought up to date (its transaction rolled back: the database is as it was).
    if (isDiskFull(error)) throw new UserError(`experiment ${experimentId}: the analysis is not up to date and cannot be stored: the disk holding the database is full (free some space, then read again)`);
    throw error;
  }
  return { experimentId, recomputed: true, seconds: (performance.now() - started) / 1000 };
}

interface VariantResult {
  variant: Variant;
  votes: VariantVotes;
  meanTrueProbability: Float64Array;
  top1: number[];
  isPie?: Uint8Array;
  cieDistance?: Float64Array;
  headline: {
    pies: number | null;
    pieShare: number | null;
    denseTop1OnPies: number | null;
    variantTop1OnPies: number | null;
    denseTop1OnNonPies: number | null;
    variantTop1OnNonPies: number | null;
    classesP05: number | null;
    classesQ05: number | null;
    mostHurt: number[] | null;
  };
  classes?: ReturnType<typeof classImpact>;
}

export function computeAnalysis(data: ExperimentData): VariantResult[] {
  const scores = new Map<number, ModelScores>();
  for (const v of data.variants) for (const m of v.models) scores.set(m.id, scoreModel(m, data));
  const dense = data.variants.find((v) => v.name === 'dense');
  if (!dense) throw new Error('no dense population');
  const denseVotes = countVotes(dense, data.numImages, data.numClasses);
  return data.variants.map((variant) => {
    const votes = variant === dense ? denseVotes : countVotes(variant, data.numImages, data.numClasses);
    const meanTrueProbability = new Float64Array(data.numImages);
    for (let i = 0; i < data.numImages; i++) {
      let sum = 0;
      let n = 0;
      for (const m of variant.models) {
        const p = m.trueProbability[i] ?? NaN;
        if (!Number.isNaN(p)) {
          sum += p;
          n++;
        }
      }
      meanTrueProbability[i] = n === 0 ? NaN : sum / n;
    }
    const top1 = variant.models.map((m) => scores.get(m.id)?.top1 ?? NaN);
    if (variant === dense) {
      return { variant, votes, meanTrueProbability, top1, headline: { pies: null, pieShare: null, denseTop1OnPies: null, variantTop1OnPies: null, denseTop1OnNonPies: null, variantTop1OnNonPies: null, classesP05: null, classesQ05: null, mostHurt: null } };
    }
    const isPie = new Uint8Array(data.numImages);
    let pies = 0;
    for (let i = 0; i < data.numImages; i++) {
      if (votes.modal[i] !== denseVotes.modal[i]) {
        isPie[i] = 1;
        pies++;
      }
    }
    // Top-1 on a subset: the mean over the population's models of their accuracy there.
    const subsetTop1 = (population: Variant, pie: 0 | 1): number | null => {
      const size = pie ? pies : data.numImages - pies;
      if (size === 0) return null;
      let correct = 0;
      for (const m of population.models) {
        for (let i = 0; i < data.numImages; i++) if (isPie[i] === pie && m.predicted[i] === data.trueLabels[i]) correct++;
      }
      return correct / (size * population.models.length);
    };
    const classes = classImpact(dense, variant, scores, data.numClasses);
    const mostHurt = classes
      .filter((c) => Number.isFinite(c.statistic) && c.statistic > 0)
      .sort((a, b) => b.statistic - a.statistic)
      .slice(0, 5)
      .map((c) => c.class);
    return {
      variant,
      votes,
      meanTrueProbability,
      top1,
      isPie,
      cieDistance: cieDistances(votes, denseVotes, data.numImages, data.numClasses),
      classes,
      headline: {
        pies,
        pieShare: pies / data.numImages,
        denseTop1OnPies: subsetTop1(dense, 1),
        variantTop1OnPies: subsetTop1(variant, 1),
        denseTop1OnNonPies: subsetTop1(dense, 0),
        variantTop1OnNonPies: subsetTop1(variant, 0),
        classesP05: classes.filter((c) => c.pvalue <= 0.05).length,
        classesQ05: classes.filter((c) => c.significant).length,
        mostHurt,
      },
    };
  });
}

function storeAnalysis(db: Db, data: ExperimentData, results: VariantResult[], seconds: number): void {
  const id = data.experimentId;
  const C = data.numClasses;
  replaceAnalysis(db, id, { signature: data.signature, numClasses: C, computedAt: nowIso(), seconds }, (w) => {
    results.forEach((r, position) => {
      const K = r.votes.models;
      for (let i = 0; i < data.numImages; i++) {
        const label = data.trueLabels[i] ?? 0;
        const trueVotes = r.votes.votes[i * C + label] ?? 0;
        let otherBest = 0;
        for (let c = 0; c < C; c++) if (c !== label) otherBest = Math.max(otherBest, r.votes.votes[i * C + c] ?? 0);
        w.image(
          id,
          r.variant.name,
          i,
          r.votes.modal[i],
          r.votes.modalVotes[i],
          K,
          (r.votes.modalVotes[i] ?? 0) / K,
          r.votes.tie[i],
          r.isPie ? r.isPie[i] : null,
          finite(r.meanTrueProbability[i] ?? NaN),
          trueVotes / K,
          (trueVotes - otherBest) / K,
        );
      }
      if (r.cieDistance) storeCieDistances(db, id, r.variant.name, r.cieDistance);
      for (const c of r.classes ?? []) {
        w.klass(id, r.variant.name, c.class, c.baselineMeanRecall, c.variantMeanRecall, finite(c.statistic), finite(c.pvalue), finite(c.qvalue), c.significant ? 1 : 0);
      }
      const h = r.headline;
      w.variant(
        id,
        r.variant.name,
        r.variant.method,
        r.variant.targetSparsity,
        K,
        mean(r.top1),
        K > 1 ? Math.sqrt(variance(r.top1)) : 0,
        h.pies,
        h.pieShare,
        h.denseTop1OnPies,
        h.variantTop1OnPies,
        h.denseTop1OnNonPies,
        h.variantTop1OnNonPies,
        h.classesP05,
        h.classesQ05,
        h.mostHurt === null ? null : JSON.stringify(h.mostHurt),
        position,
      );
    });
  });
}
