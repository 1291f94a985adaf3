import tcdf from '@stdlib/stats-base-dists-t-cdf';

export interface WelchResult {
  statistic: number;
  pvalue: number;
  df: number;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] ?? 0;
  return values.length === 0 ? NaN : sum / values.length;
}

/** Sample variance (n - 1 in the denominator). */
export function variance(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += ((values[i] ?? 0) - m) ** 2;
  return values.length < 2 ? NaN : sum / (values.length - 1);
}

/**
 * Welch's two-sided t-test (unequal variances), as scipy.stats.ttest_ind(a, b,
 * equal_var=False): t = (mean(a) - mean(b)) / sqrt(va/na + vb/nb), Welch-Satterthwaite
 * degrees of freedom, p = 2 * P(T <= -|t|). Undefined (NaN) when both samples have no
 * variance, as in scipy.
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): WelchResult {
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) return { statistic: NaN, pvalue: NaN, df: NaN };
  const va = variance(a) / na;
  const vb = variance(b) / nb;
  const se2 = va + vb;
  const statistic = (mean(a) - mean(b)) / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
  if (!Number.isFinite(statistic) || !Number.isFinite(df)) return { statistic, pvalue: NaN, df };
  const pvalue = Math.min(1, 2 * tcdf(-Math.abs(statistic), df));
  return { statistic, pvalue, df };
}

/**
 * Benjamini-Hochberg q-values (statsmodels' fdrcorrection, method 'indep'):
 * q_(i) = min over j >= i of p_(j) * m / j, capped at 1. NaN p-values are left out of
 * m and get NaN.
 */
export function benjaminiHochberg(pvalues: ArrayLike<number>): Float64Array {
  const q = new Float64Array(pvalues.length).fill(NaN);
  const order = Array.from({ length: pvalues.length }, (_, i) => i)
    .filter((i) => Number.isFinite(pvalues[i] ?? NaN))
    .sort((x, y) => (pvalues[x] ?? 0) - (pvalues[y] ?? 0));
  const m = order.length;
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1] ?? 0;
    running = Math.min(running, ((pvalues[i] ?? 0) * m) / rank);
    q[i] = running;
  }
  return q;
}
