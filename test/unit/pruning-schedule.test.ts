import { describe, expect, it } from 'vitest';
import { defaultSchedule, isUpdateStep, sparsityAt, type PruningSchedule } from '../../src-main/core/training/schedule.js';
import { magnitudeMask, measuredSparsity } from '../../src-main/core/training/pruning.js';
import { Random } from '../../src-main/core/random.js';

describe('cubic pruning schedule (Zhu and Gupta)', () => {
  // t0 = 100, dt = 10, n = 10: the ramp runs from step 100 to step 200.
  const schedule: PruningSchedule = { initialSparsity: 0, finalSparsity: 0.9, beginStep: 100, frequency: 10, updates: 10 };

  it('follows s_t = s_f + (s_i - s_f)(1 - (t - t0)/(n dt))^3 at the update steps', () => {
    expect(sparsityAt(schedule, 0)).toBe(0);
    expect(sparsityAt(schedule, 99)).toBe(0);
    expect(sparsityAt(schedule, 100)).toBeCloseTo(0, 12); // (1 - 0)^3 = 1: s_i
    // t = 150: 0.9 - 0.9 * 0.5^3 = 0.7875
    expect(sparsityAt(schedule, 150)).toBeCloseTo(0.7875, 12);
    // t = 120: 0.9 - 0.9 * 0.8^3 = 0.4392
    expect(sparsityAt(schedule, 120)).toBeCloseTo(0.4392, 12);
    // t = 190: 0.9 - 0.9 * 0.1^3 = 0.8991
    expect(sparsityAt(schedule, 190)).toBeCloseTo(0.8991, 12);
    expect(sparsityAt(schedule, 200)).toBe(0.9);
    expect(sparsityAt(schedule, 5000)).toBe(0.9);
  });

  it('holds the last update between updates', () => {
    expect(sparsityAt(schedule, 155)).toBe(sparsityAt(schedule, 150));
    expect(sparsityAt(schedule, 159)).toBe(sparsityAt(schedule, 150));
    expect(isUpdateStep(schedule, 150)).toBe(true);
    expect(isUpdateStep(schedule, 155)).toBe(false);
    expect(isUpdateStep(schedule, 90)).toBe(false);
    expect(isUpdateStep(schedule, 200)).toBe(true);
    expect(isUpdateStep(schedule, 210)).toBe(false);
  });

  it('is non-decreasing and scaled to the run by default', () => {
    const s = defaultSchedule(3000, 0.5);
    expect(s.beginStep).toBe(500);
    expect(s.beginStep + s.updates * s.frequency).toBeLessThanOrEqual(2000);
    expect(s.beginStep + s.updates * s.frequency).toBeGreaterThan(1900);
    let last = 0;
    for (let t = 0; t < 3000; t++) {
      const v = sparsityAt(s, t);
      expect(v).toBeGreaterThanOrEqual(last);
      last = v;
    }
    expect(last).toBe(0.5);
    expect(() => defaultSchedule(100, 0.5, { beginStep: 90, frequency: 10, updates: 5 })).toThrow(/after the run's 100 steps/);
  });
});

describe('magnitude masks', () => {
  it('zeroes exactly round(s * size) of the smallest magnitudes', () => {
    const weights = Float32Array.from([0.5, -0.1, 0.05, -0.9, 0.3, 0.0, 0.2, -0.25]);
    expect(Array.from(magnitudeMask(weights, 0.5))).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    const random = new Random(7);
    const big = random.glorotUniform(10_000, 100, 100);
    for (const s of [0.3, 0.5, 0.7, 0.9]) {
      const mask = magnitudeMask(big, s);
      const zeros = mask.reduce((n, m) => n + (m === 0 ? 1 : 0), 0);
      expect(zeros).toBe(Math.round(s * 10_000));
    }
  });

  it('breaks ties at the threshold by position so the count is exact', () => {
    const weights = Float32Array.from([0.1, 0.1, 0.1, 0.1, 0.5, 0.6]);
    expect(Array.from(magnitudeMask(weights, 0.5))).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('measures sparsity as the share of exact zeros', () => {
    expect(measuredSparsity([Float32Array.from([0, 1, 0, 2]), Float32Array.from([0, 0, 0, 3, 4, 5])])).toBeCloseTo(0.5, 12);
  });
});

describe('seeded randomness', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const seqA = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(seqA);
  });

  it('draws permutations', () => {
    const p = new Random(3).permutation(1000);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('draws Glorot-uniform weights within their limit', () => {
    const w = new Random(1).glorotUniform(5000, 784, 300);
    const limit = Math.sqrt(6 / (784 + 300));
    expect(Math.max(...Array.from(w, Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...Array.from(w, Math.abs))).toBeGreaterThan(0.95 * limit);
  });
});
