import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, welchTTest } from '../../src-main/core/analysis/statistics.js';

// Reference values from scipy 1.10 (ttest_ind(a, b, equal_var=False)) and statsmodels
// 0.13 (fdrcorrection(p, method='indep')), computed once and kept here.
describe("Welch's t-test", () => {
  it('matches scipy', () => {
    const r = welchTTest([0.12, -0.03, 0.05, 0.08, 0.01], [-0.2, -0.11, -0.05, -0.31, -0.09, -0.15]);
    expect(r.statistic).toBeCloseTo(4.284185575607642, 12);
    expect(r.pvalue).toBeCloseTo(0.0023320638420576715, 12);
    const s = welchTTest([1.0, 1.1, 0.9], [0.2, 0.3, 0.25, 0.1]);
    expect(s.statistic).toBeCloseTo(10.966892325208962, 11);
    expect(s.pvalue).toBeCloseTo(0.0003980059359274251, 12);
  });

  it('is antisymmetric and undefined without variance', () => {
    const a = [1, 2, 3, 4];
    const b = [2, 3, 5, 9, 1];
    expect(welchTTest(b, a).statistic).toBeCloseTo(-welchTTest(a, b).statistic, 14);
    expect(welchTTest(b, a).pvalue).toBeCloseTo(welchTTest(a, b).pvalue, 14);
    expect(Number.isNaN(welchTTest([1, 1, 1], [1, 1]).pvalue)).toBe(true);
    expect(Number.isNaN(welchTTest([1], [1, 2]).statistic)).toBe(true);
  });
});

describe('Benjamini-Hochberg', () => {
  it('matches statsmodels fdrcorrection', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2, 0.5, 0.001, 0.049]);
    const expected = [0.035, 0.0686, 0.0686, 0.23333333333333336, 0.5, 0.007, 0.0686];
    expected.forEach((e, i) => expect(q[i]).toBeCloseTo(e, 14));
  });

  it('leaves NaN p-values out of the count', () => {
    const q = benjaminiHochberg([0.01, NaN, 0.02]);
    expect(q[0]).toBeCloseTo(0.02, 14);
    expect(Number.isNaN(q[1] ?? 0)).toBe(true);
    expect(q[2]).toBeCloseTo(0.02, 14);
  });
});
