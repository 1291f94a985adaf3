import type { Db } from '../db/database.js';
import { cieSummaries } from '../sql/cie-distances.js';
import { ensureAnalysis } from './analyse.js';
import { DEFAULT_CIE_QUANTILE } from './cie.js';
import { experimentLongTail, type LongTail } from './long-tail.js';
import { experimentShift, type ShiftRow } from './shift.js';

export interface VariantReport {
  variant: string;
  method: string;
  target_sparsity: number;
  models: number;
  top1_mean: number;
  top1_std: number;
  pies: number | null;
  pie_share: number | null;
  /** PIEs whose variant or dense modal label was a tie-break (null for dense) */
  pies_on_ties: number | null;
  dense_top1_on_pies: number | null;
  variant_top1_on_pies: number | null;
  dense_top1_on_non_pies: number | null;
  variant_top1_on_non_pies: number | null;
  classes_p05: number | null;
  classes_q05: number | null;
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
 * The headline table per variant, from the stored analysis (recomputed if stale), with
 * long-tail correlations and the CIE columns at `cieQuantile`; with `shift`, the shift
 * metrics of the evaluation sets too (they read every evaluation prediction the first time).
 */
export function experimentReport(db: Db, experimentId: number, options: { shift?: boolean; cieQuantile?: number } = {}): ExperimentReport {
  ensureAnalysis(db, experimentId);
  const longTail = experimentLongTail(db, experimentId);
  const shift = options.shift ? experimentShift(db, experimentId) : { rows: [], mce: {} };
  const cieQuantile = options.cieQuantile ?? DEFAULT_CIE_QUANTILE;
  const cies = cieSummaries(db, experimentId, cieQuantile);
  const experiment = db
    .prepare('SELECT e.id, e.name, d.name AS dataset FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?')
    .get(experimentId) as { id: number; name: string; dataset: string | null };
  const classes = classNames(db, experimentId);
  const images = db.prepare('SELECT count(*) FROM experiment_images WHERE experiment_id = ?').pluck().get(experimentId) as number;
  const rows = db
    .prepare('SELECT * FROM analysis_variants WHERE experiment_id = ? ORDER BY position')
    .all(experimentId) as (Omit<VariantReport, 'most_hurt' | 'pies_on_ties' | 'cies' | 'dense_top1_on_cies' | 'variant_top1_on_cies' | 'pies_and_cies'> & { most_hurt: string | null })[];
  const onTies = new Map(
    (
      db
        .prepare(
          `SELECT a.variant, count(*) AS n FROM analysis_images a
           JOIN analysis_images d ON d.experiment_id = a.experiment_id AND d.variant = 'dense' AND d.image_index = a.image_index
           WHERE a.experiment_id = ? AND a.variant <> 'dense' AND a.is_pie = 1 AND (a.tie = 1 OR d.tie = 1)
           GROUP BY a.variant`,
        )
        .all(experimentId) as { variant: string; n: number }[]
    ).map((r) => [r.variant, r.n]),
  );
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
export function classNames(db: Db, experimentId: number): string[] {
  const count = db.prepare('SELECT num_classes FROM analysis_runs WHERE experiment_id = ?').pluck().get(experimentId) as number | undefined;
  const names = db
    .prepare('SELECT c.name FROM classes c JOIN experiments e ON e.dataset_id = c.dataset_id WHERE e.id = ? ORDER BY c.label')
    .pluck()
    .all(experimentId) as string[];
  return Array.from({ length: Math.max(count ?? 0, names.length) }, (_, c) => names[c] ?? String(c));
}
