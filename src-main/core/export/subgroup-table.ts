import type { Db } from '../db/database.js';
import { subgroupImpact, type SubgroupOptions } from '../analysis/subgroup-impact.js';
import type { Row } from './writers.js';

export const SUBGROUP_COLUMNS = [
  'variant', 'attribute', 'value', 'images', 'baseline_mean_accuracy', 'variant_mean_accuracy',
  'statistic', 'pvalue', 'qvalue', 'significant', 'pie_ratio', 'cie_ratio',
] as const;

/** With a positive class, the two rate changes follow the contract's columns. */
export function subgroupColumns(options: SubgroupOptions): readonly string[] {
  return options.positiveClass === undefined ? SUBGROUP_COLUMNS : [...SUBGROUP_COLUMNS, 'fpr_change', 'fnr_change'];
}

/** One row per non-dense variant, attribute and value (at least two images). */
export function subgroupRows(db: Db, experimentId: number, options: SubgroupOptions): Row[] {
  return subgroupImpact(db, experimentId, options).map((r) => ({ ...r }));
}
