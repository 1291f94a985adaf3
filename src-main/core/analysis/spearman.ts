import tcdf from '@stdlib/stats-base-dists-t-cdf';
import { mean } from './statistics.js';

/** Ranks from 1, ties sharing their average rank (scipy.stats.rankdata's 'average'). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && values[order[end + 1] ?? 0] === values[order[start] ?? 0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k] ?? 0] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Spearman's rank correlation as scipy.stats.spearmanr (two-sided): rho is Pearson's r
 * of the average ranks; p from t = rho sqrt((n - 2) / ((1 + rho)(1 - rho))) on n - 2
 * degrees of freedom. NaN when either input is constant or holds a NaN, as scipy's.
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): { rho: number; pvalue: number } {
  const n = x.length;
  if (n !== y.length) throw new Error('spearman: inputs of different lengths');
  for (let i = 0; i < n; i++) if (Number.isNaN(x[i] ?? NaN) || Number.isNaN(y[i] ?? NaN)) return { rho: NaN, pvalue: NaN };
  if (n < 2) return { rho: NaN, pvalue: NaN };
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (rx[i] ?? 0) - mx;
    const dy = (ry[i] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return { rho: NaN, pvalue: NaN };
  const rho = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  const dof = n - 2;
  if (dof <= 0) return { rho, pvalue: NaN };
  const t = rho * Math.sqrt(Math.max(0, dof / ((rho + 1) * (1 - rho))));
  const pvalue = Number.isFinite(t) ? Math.min(1, 2 * tcdf(-Math.abs(t), dof)) : 0;
  return { rho, pvalue };
}
