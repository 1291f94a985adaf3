import { describe, expect, it } from 'vitest';
import { cohenKappa, fisherExact, fleissKappa, gwetAc1, krippendorffAlphaNominal, wilsonInterval } from '../../src-main/core/study/agreement.js';

// Reference values: scipy 1.10 fisher_exact, statsmodels 0.13 proportion_confint
// (wilson) and fleiss_kappa, computed once and kept here; Krippendorff's alpha from his
// published worked example.
describe('study statistics', () => {
  it("Fleiss' kappa matches statsmodels on the classic 10 x 5 example (14 raters)", () => {
    const table = [
      [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ];
    expect(fleissKappa(table)).toBeCloseTo(0.20993070442195522, 14);
    expect(Number.isNaN(fleissKappa([[3, 0], [3, 0]]))).toBe(true);
  });

  it("Krippendorff's alpha (nominal, missing values) is 0.743 on Krippendorff's example", () => {
    // 4 observers x 12 units; '.' = missing (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability").
    const observers = ['1 2 3 3 2 1 4 1 2 . . .', '1 2 3 3 2 2 4 1 2 5 . 3', '. 3 3 3 2 3 4 2 2 5 1 .', '1 2 3 3 2 4 4 1 2 5 1 .'].map((r) => r.split(' '));
    const units = Array.from({ length: 12 }, (_, u) => observers.map((o) => o[u] ?? '.').filter((v) => v !== '.'));
    expect(krippendorffAlphaNominal(units)).toBeCloseTo(0.7434210526315789, 12);
    expect(Number.isNaN(krippendorffAlphaNominal([['a', 'a'], ['a', 'a']]))).toBe(true);
  });

  it("Fisher's exact test matches scipy", () => {
    expect(fisherExact(8, 2, 1, 5)).toBeCloseTo(0.034965034965034975, 12);
    expect(fisherExact(30, 70, 12, 88)).toBeCloseTo(0.002866560763284443, 12);
    expect(fisherExact(0, 10, 3, 7)).toBeCloseTo(0.21052631578947367, 12);
    expect(fisherExact(5, 5, 5, 5)).toBe(1);
  });

  it('Wilson intervals match statsmodels', () => {
    const cases: [number, number, number, number][] = [
      [7, 20, 0.18119182410108203, 0.5671457233147638],
      [0, 10, 0, 0.27753279986288926],
      [10, 10, 0.7224672001371106, 1],
      [33, 120, 0.20302896661264852, 0.3609296582757681],
    ];
    for (const [k, n, lo, hi] of cases) {
      const [l, h] = wilsonInterval(k, n);
      expect(l).toBeCloseTo(lo, 12);
      expect(h).toBeCloseTo(hi, 12);
    }
  });

  it("Gwet's AC1 is 0.7754 on the 4 raters x 12 units example of Gwet's handbook (irrCAC cac.raw4raters)", () => {
    // The same data as Krippendorff's example above; Gwet (Handbook of Inter-Rater
    // Reliability, 4th ed.) and R's irrCAC gwet.ac1.raw give pa = 0.8182, pe = 0.1903, AC1 = 0.7754.
    const observers = ['1 2 3 3 2 1 4 1 2 . . .', '1 2 3 3 2 2 4 1 2 5 . 3', '. 3 3 3 2 3 4 2 2 5 1 .', '1 2 3 3 2 4 4 1 2 5 1 .'].map((r) => r.split(' '));
    const counts = Array.from({ length: 12 }, (_, u) => ['1', '2', '3', '4', '5'].map((c) => observers.filter((o) => o[u] === c).length));
    expect(gwetAc1(counts)).toBeCloseTo(0.775444068126995, 12);
  });

  it('AC1 stays high where Fleiss kappa collapses on a rare category (the kappa paradox)', () => {
    // 3 raters, 100 items: 97 nobody chose, 3 one rater chose; raters agree on 98% of pairs.
    const table = [...Array<number[]>(97).fill([0, 3]), ...Array<number[]>(3).fill([1, 2])];
    expect(fleissKappa(table)).toBeCloseTo(-0.010101010101014576, 12); // statsmodels fleiss_kappa
    expect(gwetAc1(table)).toBeCloseTo((0.98 - 0.0198) / (1 - 0.0198), 12); // pa = 0.98, pe = 2 * 0.01 * 0.99
    expect(Number.isNaN(gwetAc1([[1, 0]]))).toBe(true);
  });

  it("Cohen's kappa is 0.4 on the textbook 2 x 2 example (20, 5, 10, 15)", () => {
    const a = [...Array<string>(25).fill('yes'), ...Array<string>(25).fill('no')];
    const b = [...Array<string>(20).fill('yes'), ...Array<string>(5).fill('no'), ...Array<string>(10).fill('yes'), ...Array<string>(15).fill('no')];
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 14);
    expect(Number.isNaN(cohenKappa(['x', 'x'], ['x', 'x']))).toBe(true);
    expect(Number.isNaN(cohenKappa([], []))).toBe(true);
  });
});
