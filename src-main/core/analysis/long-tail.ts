import type { ReadableDb } from '../db/database.js';
import { classStatistics, pieCountsByClass } from '../sql/analysis-summary.js';
import { classCounts } from '../sql/class-counts.js';
import { spearman } from './spearman.js';

/** Impact against frequency, per variant (docs/science.md). */
export interface LongTail {
  spearman_rho: number | null;
  spearman_p: number | null;
  pie_rho: number | null;
  pie_p: number | null;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * Per non-dense variant: Spearman of each class's training count against its
 * class-impact statistic, and against its PIE count. Null for every variant when the
 * experiment has no stored counts or every class has the same count.
 */
export function experimentLongTail(db: ReadableDb, experimentId: number): Map<string, LongTail> {
  const counts = classCounts(db, experimentId);
  const out = new Map<string, LongTail>();
  const classes = [...counts.keys()].sort((a, b) => a - b);
  const balanced = new Set(counts.values()).size <= 1;
  const statistics = classStatistics(db, experimentId);
  const pies = pieCountsByClass(db, experimentId);
  for (const [variant, byClass] of statistics) {
    if (balanced) {
      out.set(variant, { spearman_rho: null, spearman_p: null, pie_rho: null, pie_p: null });
      continue;
    }
    const n = classes.map((c) => counts.get(c) ?? 0);
    const impact = spearman(n, classes.map((c) => byClass.get(c) ?? NaN));
    const pie = spearman(n, classes.map((c) => pies.get(variant)?.get(c) ?? 0));
    out.set(variant, { spearman_rho: finite(impact.rho), spearman_p: finite(impact.pvalue), pie_rho: finite(pie.rho), pie_p: finite(pie.pvalue) });
  }
  return out;
}
