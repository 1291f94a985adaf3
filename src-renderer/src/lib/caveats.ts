import type { ReportDto } from './api.ts';

/**
 * Below this many models in a population, the results carry a warning: a modal label
 * then rests on a handful of votes (with 2 models any disagreement is a tie, broken by
 * the largest class index), and Welch's t-test has too few degrees of freedom for its
 * p- and q-values to mean much. The paper uses 30.
 */
export const MIN_MODELS = 5;

export interface SmallPopulation {
  variant: string;
  models: number;
}

/** The populations (dense included) with fewer than MIN_MODELS models. */
export function smallPopulations(report: ReportDto): SmallPopulation[] {
  return report.variants.filter((v) => v.models < MIN_MODELS).map((v) => ({ variant: v.variant, models: v.models }));
}
