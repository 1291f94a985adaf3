import hypergeometricPmf from '@stdlib/stats-base-dists-hypergeometric-pmf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** z for a two-sided 95% interval. */
const Z95 = normalQuantile(0.975, 0, 1);

/** Wilson score interval for k successes in n trials (statsmodels' proportion_confint method='wilson'). */
export function wilsonInterval(k: number, n: number, z = Z95): [number, number] {
  if (n === 0) return [NaN, NaN];
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/**
 * Fisher's exact test, two-sided, for the table [[a, b], [c, d]]: the probability of
 * every table with the same margins that is no more likely than the one observed
 * (scipy.stats.fisher_exact, with its relative tolerance of 1e-7).
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const total = a + b + c + d;
  const row1 = a + b;
  const col1 = a + c;
  if (total === 0 || row1 === 0 || col1 === 0 || row1 === total || col1 === total) return 1;
  const lo = Math.max(0, col1 - (total - row1));
  const hi = Math.min(row1, col1);
  // P(X = x) for X ~ Hypergeometric(population total, successes row1, draws col1)
  const pmf = (x: number): number => hypergeometricPmf(x, total, row1, col1);
  const observed = pmf(a);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const px = pmf(x);
    if (px <= observed * (1 + 1e-7)) p += px;
  }
  return Math.min(1, p);
}

/**
 * Fleiss' kappa for N items each rated by the same number n of raters into k
 * categories; counts[i][j] = raters who put item i in category j. NaN when undefined
 * (fewer than two raters, or every rating in one category).
 */
export function fleissKappa(counts: number[][]): number {
  const N = counts.length;
  if (N === 0) return NaN;
  const n = (counts[0] ?? []).reduce((s, x) => s + x, 0);
  if (n < 2 || counts.some((row) => row.reduce((s, x) => s + x, 0) !== n)) return NaN;
  const k = (counts[0] ?? []).length;
  const pj = new Array<number>(k).fill(0);
  let sumPi = 0;
  for (const row of counts) {
    let agree = 0;
    row.forEach((nij, j) => {
      pj[j] = (pj[j] ?? 0) + nij;
      agree += nij * (nij - 1);
    });
    sumPi += agree / (n * (n - 1));
  }
  const pBar = sumPi / N;
  const pe = pj.reduce((s, x) => s + (x / (N * n)) ** 2, 0);
  return pe === 1 ? NaN : (pBar - pe) / (1 - pe);
}

/**
 * Krippendorff's alpha for nominal data with missing values. units[u] holds the values
 * the coders gave unit u (any number, missing ones left out); units with fewer than two
 * values are not pairable and are ignored. alpha = 1 - D_o / D_e from the coincidence
 * matrix. NaN when there is no variation at all (D_e = 0) or nothing pairable.
 */
export function krippendorffAlphaNominal(units: string[][]): number {
  const coincidence = new Map<string, Map<string, number>>();
  const add = (c: string, k: string, w: number): void => {
    const row = coincidence.get(c) ?? new Map<string, number>();
    row.set(k, (row.get(k) ?? 0) + w);
    coincidence.set(c, row);
  };
  for (const values of units) {
    const m = values.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) if (i !== j) add(values[i] ?? '', values[j] ?? '', 1 / (m - 1));
    }
  }
  const totals = new Map<string, number>();
  let n = 0;
  let disagreeObserved = 0;
  for (const [c, row] of coincidence) {
    for (const [k, w] of row) {
      totals.set(c, (totals.get(c) ?? 0) + w);
      n += w;
      if (c !== k) disagreeObserved += w;
    }
  }
  if (n <= 1) return NaN;
  let expectedPairs = 0;
  for (const [c, nc] of totals) for (const [k, nk] of totals) if (c !== k) expectedPairs += nc * nk;
  if (expectedPairs === 0) return NaN;
  return 1 - ((n - 1) * disagreeObserved) / expectedPairs;
}

/**
 * Gwet's AC1 (Gwet 2008, multi-rater form; irrCAC's gwet.ac1.raw) for items rated into
 * q categories; counts[i][k] = raters who put item i in category k. Raters may differ
 * per item: the chance term uses every item with a rating, the observed agreement the
 * items with at least two. Unlike kappa, its chance agreement stays small when one
 * category dominates, so it does not collapse for rare categories. NaN when undefined.
 */
export function gwetAc1(counts: number[][]): number {
  const rated = counts.filter((row) => row.reduce((s, x) => s + x, 0) >= 1);
  const q = (counts[0] ?? []).length;
  const pairable = rated.filter((row) => row.reduce((s, x) => s + x, 0) >= 2);
  if (q < 2 || pairable.length === 0) return NaN;
  const pi = new Array<number>(q).fill(0);
  for (const row of rated) {
    const r = row.reduce((s, x) => s + x, 0);
    row.forEach((x, k) => (pi[k] = (pi[k] ?? 0) + x / r / rated.length));
  }
  let pa = 0;
  for (const row of pairable) {
    const r = row.reduce((s, x) => s + x, 0);
    pa += row.reduce((s, x) => s + x * (x - 1), 0) / (r * (r - 1)) / pairable.length;
  }
  const pe = pi.reduce((s, p) => s + p * (1 - p), 0) / (q - 1);
  return pe === 1 ? NaN : (pa - pe) / (1 - pe);
}

/**
 * Cohen's kappa for two raters' values on the same items (a[i] and b[i] rate item i).
 * NaN when there are no items or chance agreement is 1 (both always chose one value).
 */
export function cohenKappa(a: readonly string[], b: readonly string[]): number {
  const n = a.length;
  if (n === 0 || b.length !== n) return NaN;
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    countA.set(x, (countA.get(x) ?? 0) + 1);
    countB.set(y, (countB.get(y) ?? 0) + 1);
    if (x === y) agree++;
  }
  let pe = 0;
  for (const [v, c] of countA) pe += (c / n) * ((countB.get(v) ?? 0) / n);
  return pe === 1 ? NaN : (agree / n - pe) / (1 - pe);
}
