import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../../src-main/core/training/backend.js';
import { FusedAdam } from '../../src-main/core/training/fused-adam.js';
import { learningRateAt, ScheduledAdam } from '../../src-main/core/training/learning-rate.js';
import { trainModel, type TrainInput } from '../../src-main/core/training/trainer.js';
import { Random } from '../../src-main/core/random.js';

describe('the learning-rate schedule', () => {
  it('constant: the base rate at every step', () => {
    for (const step of [0, 1, 500, 2812]) expect(learningRateAt('constant', 2e-3, step, 2813)).toBe(2e-3);
  });

  it('cosine: lr (1 + cos(pi t / T)) / 2, from the base rate down towards zero', () => {
    const T = 2816; // 6 epochs of 469 steps, rounded to a multiple of 8 for exact quarters
    expect(learningRateAt('cosine', 2e-3, 0, T)).toBe(2e-3);
    expect(learningRateAt('cosine', 2e-3, T / 4, T)).toBeCloseTo(1e-3 * (1 + Math.SQRT1_2), 15);
    expect(learningRateAt('cosine', 2e-3, T / 2, T)).toBeCloseTo(1e-3, 15);
    expect(learningRateAt('cosine', 2e-3, (3 * T) / 4, T)).toBeCloseTo(1e-3 * (1 - Math.SQRT1_2), 15);
    // the last step still learns a little: pi (T-1) / T, not pi
    expect(learningRateAt('cosine', 2e-3, T - 1, T)).toBeCloseTo(1e-3 * (1 - Math.cos(Math.PI / T)), 18);
    expect(learningRateAt('cosine', 2e-3, T - 1, T)).toBeGreaterThan(0);
    let last = Infinity;
    for (let t = 0; t < T; t++) {
      const lr = learningRateAt('cosine', 2e-3, t, T);
      expect(lr).toBeLessThan(last);
      last = lr;
    }
  });
});

describe('ScheduledAdam', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Ten steps of minimising sum(w * g) for a fixed g; the learning rate of step t from lrAt. */
  function run(optimizer: tf.Optimizer, lrAt?: (t: number) => number): Float32Array {
    const w = tf.variable(tf.tensor1d([0.5, -0.25, 1, 0]));
    const g = tf.tensor1d([1, -2, 0.5, 3]);
    for (let t = 0; t < 10; t++) {
      if (lrAt && optimizer instanceof ScheduledAdam) optimizer.setLearningRate(lrAt(t));
      optimizer.applyGradients([{ name: w.name, tensor: g }]);
    }
    const values = Float32Array.from(w.dataSync());
    w.dispose();
    g.dispose();
    optimizer.dispose();
    return values;
  }

  it('at a constant rate is tf.train.adam bit for bit', async () => {
    await selectBackend('cpu');
    expect(run(new ScheduledAdam(1e-3), () => 1e-3)).toEqual(run(tf.train.adam(1e-3)));
  });

  it('moves each weight by the rate set for each step', async () => {
    await selectBackend('cpu');
    // A constant gradient makes Adam's bias-corrected step lr_t * g / (|g| + eps): about lr_t * sign(g).
    const rates = Array.from({ length: 10 }, (_, t) => learningRateAt('cosine', 0.01, t, 10));
    const moved = rates.reduce((a, b) => a + b, 0);
    const got = run(new ScheduledAdam(0.01), (t) => rates[t] ?? 0);
    const expected = [0.5 - moved, -0.25 + moved, 1 - moved, -moved];
    for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(expected[i] ?? NaN, 5);
    expect(moved).toBeLessThan(0.1 * 0.99); // not what a constant 0.01 would give
  });

  /** 256 random 4x4 one-channel images of 2 classes. */
  function tinyData(): TrainInput {
    const random = new Random(7);
    const count = 256;
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 2);
    const x = Float32Array.from({ length: count * 16 }, (_, i) => random.next() + (labels[Math.floor(i / 16)] ?? 0));
    return { x, labels, count, input: { height: 4, width: 4, channels: 1 }, numClasses: 2 };
  }

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`is what the trainer steps with, one rate per step of the schedule (${backend})`, async () => {
      await selectBackend(backend);
      const data = tinyData();
      const config = { arch: 'mlp' as const, seed: 3, epochs: 3, batchSize: 32, learningRate: 2e-3, targetSparsity: 0 };
      const set = vi.spyOn(FusedAdam.prototype, 'setLearningRate');
      const cosine = await trainModel({ ...config, learningRateSchedule: 'cosine' }, data);
      const steps = cosine.steps;
      expect(steps).toBe(24);
      expect(set.mock.calls.map(([lr]) => lr)).toEqual(Array.from({ length: steps }, (_, t) => learningRateAt('cosine', 2e-3, t, steps)));
      set.mockClear();
      const constant = await trainModel(config, data);
      expect(set.mock.calls.map(([lr]) => lr)).toEqual(Array.from({ length: steps }, () => 2e-3));
      // and the rates reach the weights
      expect(cosine.weights.get('dense1/kernel')?.values).not.toEqual(constant.weights.get('dense1/kernel')?.values);
    });
  }
});
