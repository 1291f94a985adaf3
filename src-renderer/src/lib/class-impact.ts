import type { ClassImpactDto, ReportDto } from './api.ts';

/** hurt: significant and lost more than top-1 did; helped: significant and lost less; else not significant. */
export type Effect = 'hurt' | 'helped' | 'ns';

export interface ImpactRow extends ClassImpactDto {
  /**
   * Relative recall loss, in percentage points: (dense recall − dense top-1) −
   * (variant recall − variant top-1), population means. Positive: the class lost more
   * than top-1 did. Same sign as t, and the export's relative_recall_loss (× 100).
   */
  loss: number;
  effect: Effect;
}

export const LOSS_FORMULA = '(dense recall − dense top-1) − (variant recall − variant top-1), population means, in percentage points';
/** The order of the table and chart, and of the headline table's "Most hurt" (which keeps t > 0, at most five). */
export const ORDER_RULE = "largest Welch's t first (the most hurt relative to top-1); classes without a t last";

export function effectOf(row: Pick<ClassImpactDto, 'significant' | 'statistic'>): Effect {
  if (!row.significant || row.statistic === null) return 'ns';
  return row.statistic > 0 ? 'hurt' : 'helped';
}

/** One variant's classes, most hurt first. */
export function impactRows(report: ReportDto, impact: ClassImpactDto[], variant: string): ImpactRow[] {
  const denseTop1 = report.variants.find((v) => v.variant === 'dense')?.top1_mean ?? 0;
  const variantTop1 = report.variants.find((v) => v.variant === variant)?.top1_mean ?? 0;
  return impact
    .filter((r) => r.variant === variant)
    .map((r) => ({ ...r, loss: 100 * (r.baselineMeanRecall - denseTop1 - (r.variantMeanRecall - variantTop1)), effect: effectOf(r) }))
    .sort((a, b) => (b.statistic ?? -Infinity) - (a.statistic ?? -Infinity) || a.class - b.class);
}
