import type { ReadableDb } from '../db/database.js';
import { UserError } from '../errors.js';
import { analysisVariantRows, pieTieCounts, type AnalysisVariantRow } from '../sql/analysis.js';
import { analysedClassCount } from '../sql/analysis-summary.js';
import { cieSummaries } from '../sql/cie-distances.js';
import { experimentDatasetClassNames, experimentHeading, experimentImageCount } from '../sql/experiments.js';
import { DEFAULT_CIE_QUANTILE } from './cie.js';
import { experimentLongTail, type LongTail } from './long-tail.js';
import { experimentShift, type ShiftRow } from './shift.js';

/** A stored headline row (analysis_variants), with the class names of most_hurt and what is derived when reading. */
export interface VariantReport extends Omit<AnalysisVariantRow, 'most_hurt'> {
  /** PIEs whose variant or dense modal label was a tie-break (null for dense) */
  pies_on_ties: number | null;
  most_hurt: string[] | null;
  /** compression-identified exemplars at the report's quantile (null for dense) */
  cies: number | null;
  dense_top1_on_cies: number | null;
  variant_top1_on_cies: number | null;
  /** images that are both PIEs and CIEs */
  pies_and_cies: number | null;
  /** Impact against class training frequency; null for dense and for experiments without stored counts. */
  longtail: LongTail | null;
  /** Mean corruption error (dense = 1); null without corruption sets, or when the report is made without shift. */
  mce: number | null;
}

export interface ExperimentReport {
  experiment_id: number;
  dataset: string;
  images: number;
  classes: string[];
  cie_quantile: number;
  variants: VariantReport[];
  /** Per evaluation set and variant (pie-audit evaluate); empty without evaluation sets. */
  shift: Omit<ShiftRow, 'ce'>[];
}

/**
 * The headline table per variant (as docs/science.md defines it), read from the stored
 * analysis, which the writers keep current (on a database left stale, writable callers
 * take the explicit step refreshAnalysis first), so reading never recomputes or writes.
 * With long-tail correlations and the CIE columns at `cieQuantile`; with `shift`, the
 * shift metrics of the evaluation sets too (stored by the writers; computed here,
 * without storing, on a database left stale).
 */
export function experimentReport(db: ReadableDb, experimentId: number, options: { shift?: boolean; cieQuantile?: number } = {}): ExperimentReport {
  const longTail = experimentLongTail(db, experimentId);
  const shift = options.shift ? experimentShift(db, experimentId) : { rows: [], mce: {} };
  const cieQuantile = options.cieQuantile ?? DEFAULT_CIE_QUANTILE;
  const cies = cieSummaries(db, experimentId, cieQuantile);
  const experiment = experimentHeading(db, experimentId);
  if (!experiment) throw new UserError(`no experiment ${experimentId}`);
  const classes = classNames(db, experimentId);
  const images = experimentImageCount(db, experimentId);
  const rows = analysisVariantRows(db, experimentId);
  const onTies = pieTieCounts(db, experimentId);
  return {
    experiment_id: experimentId,
    dataset: experiment.dataset ?? experiment.name,
    images,
    classes,
    cie_quantile: cieQuantile,
    variants: rows.map((r) => ({
      variant: r.variant,
      method: r.method,
      target_sparsity: r.target_sparsity,
      models: r.models,
      top1_mean: r.top1_mean,
      top1_std: r.top1_std,
      pies: r.pies,
      pie_share: r.pie_share,
      pies_on_ties: r.pies === null ? null : (onTies.get(r.variant) ?? 0),
      dense_top1_on_pies: r.dense_top1_on_pies,
      variant_top1_on_pies: r.variant_top1_on_pies,
      dense_top1_on_non_pies: r.dense_top1_on_non_pies,
      variant_top1_on_non_pies: r.variant_top1_on_non_pies,
      classes_p05: r.classes_p05,
      classes_q05: r.classes_q05,
      most_hurt: r.most_hurt === null ? null : (JSON.parse(r.most_hurt) as number[]).map((c) => classes[c] ?? String(c)),
      cies: cies.get(r.variant)?.cies ?? null,
      dense_top1_on_cies: cies.get(r.variant)?.denseTop1OnCies ?? null,
      variant_top1_on_cies: cies.get(r.variant)?.variantTop1OnCies ?? null,
      pies_and_cies: cies.get(r.variant)?.piesAndCies ?? null,
      longtail: longTail.get(r.variant) ?? null,
      mce: shift.mce[r.variant] ?? null,
    })),
    shift: shift.rows.map(({ ce, ...row }) => {
      void ce;
      return row;
    }),
  };
}

/** Class names of the experiment's dataset, or the label numbers for a labels-only import. */
export function classNames(db: ReadableDb, experimentId: number): string[] {
  const count = analysedClassCount(db, experimentId);
  const names = experimentDatasetClassNames(db, experimentId);
  return Array.from({ length: Math.max(count, names.length) }, (_, c) => names[c] ?? String(c));
}
