import type { ReadableDb } from '../db/database.js';
import { DEFAULT_CIE_QUANTILE, isCie } from '../analysis/cie.js';
import { classNames } from '../analysis/report.js';
import { classImpactExportRows, pieExportRows } from '../sql/analysis-export.js';
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

/** From the stored analysis (kept current by the writers; refreshAnalysis on a database left stale). One row per image and non-dense variant; tie is 1 when either modal label was a tie. */
export function* pieRows(db: ReadableDb, experimentId: number, options: { cieQuantile?: number } = {}): Iterable<Row> {
  const thresholds = cieThresholds(db, experimentId, options.cieQuantile ?? DEFAULT_CIE_QUANTILE);
  const className = classNamer(db, experimentId);
  const rows = pieExportRows(db, experimentId);
  for (const row of rows) {
    const distance = row.cie_distance as number | null;
    yield {
      ...row,
      is_cie: distance === null ? null : isCie(distance, thresholds.get(String(row.variant)) ?? null) ? 1 : 0,
      true_class_name: className(row.true_class_label ?? null),
    };
  }
}

export function classImpactRows(db: ReadableDb, experimentId: number): Iterable<Row> {
  const names = classNames(db, experimentId);
  const rows = classImpactExportRows(db, experimentId);
  // Training images per class: stored for experiments trained here, empty for imports.
  const counts = classCounts(db, experimentId);
  return rows.map((r) => ({ ...r, class_name: names[Number(r.class)] ?? String(r.class), train_count: counts.get(Number(r.class)) ?? null }));
}
