import type { Db } from '../db/database.js';
import { DEFAULT_CIE_QUANTILE, isCie } from '../analysis/cie.js';
import { classNames } from '../analysis/report.js';
import { cieThresholds } from '../sql/cie-distances.js';
import { classCounts } from '../sql/class-counts.js';
import type { Row } from './writers.js';
import { classNamer } from './class-names.js';

export const PIE_COLUMNS = [
  'pruning_fraction', 'variant', 'image_index', 'true_class_label', 'variant_modal_label', 'variant_number_observ',
  'baseline_modal_label', 'baseline_number_observ', 'variant_agreement', 'baseline_agreement', 'tie', 'is_pie',
  // per-image scores, after the contract's columns
  'variant_tie', 'baseline_tie', 'variant_mean_true_probability', 'baseline_mean_true_probability',
  'variant_self_confidence', 'baseline_self_confidence', 'variant_normalized_margin', 'baseline_normalized_margin',
  // compression-identified exemplars (is_cie at the export's quantile)
  'cie_distance', 'is_cie',
  // the true label's class name (true_class_label stays the number)
  'true_class_name',
] as const;

export const CLASS_IMPACT_COLUMNS = [
  'variant', 'pruning_fraction', 'class', 'class_name', 'baseline_mean_recall', 'variant_mean_recall',
  'statistic_recall_norm', 'pvalue_recall_norm', 'qvalue', 'significant', 'train_count',
  // after the contract's columns: the app's "relative recall loss" (same sign as the t statistic)
  'relative_recall_loss',
] as const;

/** From the stored analysis (bring it up to date first: ensureAnalysis). One row per image and non-dense variant; tie is 1 when either modal label was a tie. */
export function* pieRows(db: Db, experimentId: number, options: { cieQuantile?: number } = {}): Iterable<Row> {
  const thresholds = cieThresholds(db, experimentId, options.cieQuantile ?? DEFAULT_CIE_QUANTILE);
  const className = classNamer(db, experimentId);
  const rows = db
    .prepare(
      `SELECT v.target_sparsity AS pruning_fraction, a.variant, a.image_index, ei.true_label AS true_class_label,
              a.modal_label AS variant_modal_label, a.number_observ AS variant_number_observ,
              d.modal_label AS baseline_modal_label, d.number_observ AS baseline_number_observ,
              a.agreement AS variant_agreement, d.agreement AS baseline_agreement,
              max(a.tie, d.tie) AS tie, a.is_pie,
              a.tie AS variant_tie, d.tie AS baseline_tie,
              a.mean_true_probability AS variant_mean_true_probability, d.mean_true_probability AS baseline_mean_true_probability,
              a.self_confidence AS variant_self_confidence, d.self_confidence AS baseline_self_confidence,
              a.normalized_margin AS variant_normalized_margin, d.normalized_margin AS baseline_normalized_margin,
              c.distance AS cie_distance
       FROM analysis_images a
       JOIN analysis_variants v ON v.experiment_id = a.experiment_id AND v.variant = a.variant
       JOIN analysis_images d ON d.experiment_id = a.experiment_id AND d.variant = 'dense' AND d.image_index = a.image_index
       JOIN experiment_images ei ON ei.experiment_id = a.experiment_id AND ei.image_index = a.image_index
       LEFT JOIN analysis_cie_distances c ON c.experiment_id = a.experiment_id AND c.variant = a.variant AND c.image_index = a.image_index
       WHERE a.experiment_id = ? AND a.variant <> 'dense'
       ORDER BY v.position, a.image_index`,
    )
    .iterate(experimentId) as Iterable<Row>;
  for (const row of rows) {
    const distance = row.cie_distance as number | null;
    yield {
      ...row,
      is_cie: distance === null ? null : isCie(distance, thresholds.get(String(row.variant)) ?? null) ? 1 : 0,
      true_class_name: className(row.true_class_label ?? null),
    };
  }
}

export function classImpactRows(db: Db, experimentId: number): Iterable<Row> {
  const names = classNames(db, experimentId);
  const rows = db
    .prepare(
      `SELECT c.variant, v.target_sparsity AS pruning_fraction, c.class, c.baseline_mean_recall, c.variant_mean_recall,
              c.statistic AS statistic_recall_norm, c.pvalue AS pvalue_recall_norm, c.qvalue, c.significant,
              (c.baseline_mean_recall - d.top1_mean) - (c.variant_mean_recall - v.top1_mean) AS relative_recall_loss
       FROM analysis_classes c JOIN analysis_variants v ON v.experiment_id = c.experiment_id AND v.variant = c.variant
       JOIN analysis_variants d ON d.experiment_id = c.experiment_id AND d.variant = 'dense'
       WHERE c.experiment_id = ? ORDER BY v.position, c.class`,
    )
    .all(experimentId) as Row[];
  // Training images per class: stored for experiments trained here, empty for imports.
  const counts = classCounts(db, experimentId);
  return rows.map((r) => ({ ...r, class_name: names[Number(r.class)] ?? String(r.class), train_count: counts.get(Number(r.class)) ?? null }));
}
