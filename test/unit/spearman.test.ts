import { describe, expect, it } from 'vitest';
import { averageRanks, spearman } from '../../src-main/core/analysis/spearman.js';

// Values from scipy.stats.spearmanr / rankdata (scipy 1.x), for the edge cases the
// committed fixture (test/fixtures/shift) does not reach.
describe('spearman', () => {
  it('ranks ties by their average, as scipy rankdata', () => {
    expect([...averageRanks([10, 20, 10, 30, 20])]).toEqual([1.5, 3.5, 1.5, 5, 3.5]);
  });

  it('is undefined (NaN) for a constant input, as scipy, which the long-tail report turns into null', () => {
    const r = spearman([5, 5, 5, 5], [1, 2, 3, 4]);
    expect(r.rho).toBeNaN();
    expect(r.pvalue).toBeNaN();
  });

  it('gives rho = +-1 and p near 0 for a perfectly monotone relation (scipy: +-0.9999999999999999, p 1.4e-24)', () => {
    const up = spearman([1, 2, 3, 4, 5], [2, 4, 8, 16, 32]);
    const down = spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]);
    expect(Math.abs(up.rho - 1)).toBeLessThan(1e-12);
    expect(Math.abs(down.rho + 1)).toBeLessThan(1e-12);
    expect(up.pvalue).toBeLessThan(1e-9);
    expect(down.pvalue).toBeLessThan(1e-9);
  });
});
