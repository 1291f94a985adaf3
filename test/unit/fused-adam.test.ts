import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendName } from '../../src-main/core/training/backend.js';
import { FusedAdam } from '../../src-main/core/training/fused-adam.js';
import { learningRateAt, ScheduledAdam } from '../../src-main/core/training/learning-rate.js';
import { ModelParams } from '../../src-main/core/training/model-params.js';
import { forward, initialParams, paramSpecs } from '../../src-main/core/training/network.js';
import { magnitudeMask } from '../../src-main/core/training/pruning.js';
import { Random } from '../../src-main/core/random.js';

const bytes = (values: Float32Array): Buffer => Buffer.from(values.buffer, values.byteOffset, values.byteLength);

/** tfjs's own Adam followed by the masks' products: what the trainer did before the fused kernel. */
function referenceStep(optimizer: tf.Optimizer, weights: tf.Variable[], gradients: tf.Tensor[], masks: (tf.Tensor | null)[]): void {
  optimizer.applyGradients(weights.map((w, i) => ({ name: w.name, tensor: gradients[i] as tf.Tensor })));
  tf.tidy(() => {
    for (const [i, w] of weights.entries()) {
      const mask = masks[i];
      if (mask) w.assign(tf.mul(w, mask));
    }
  });
}

// The trainer's optimizer (FusedAdam) must give tfjs's AdamOptimizer's weights bit for bit:
// on WASM through the fused kernel, elsewhere through tfjs's optimizer itself.
describe.each<BackendName>(['wasm', 'cpu'])('Adam over the parameters of a model (%s backend)', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it(`runs the ${backend === 'wasm' ? 'fused kernel' : 'tfjs optimizer'} and leaves no tensor behind`, () => {
    const before = tf.memory().numTensors;
    const adam = new FusedAdam(1e-3, [[8], [2, 3]]);
    expect(adam.isFused).toBe(backend === 'wasm');
    const weights = tf.tidy(() => [tf.variable(tf.ones([8])), tf.variable(tf.ones([2, 3]))]);
    const gradients = [tf.fill([8], 0.5), tf.fill([2, 3], -0.5)];
    const mask = tf.tensor([1, 0, 1, 0, 1, 0, 1, 0]);
    for (let step = 0; step < 3; step++) adam.apply(weights, gradients, [mask, null]);
    // masked weights are zero (-0 where the update was negative, as with tfjs's optimizer)
    expect(Array.from(weights[0]?.dataSync() ?? []).map((w, i) => (i % 2 === 1 ? w === 0 : w !== 0 && w !== 1))).toEqual(Array(8).fill(true));
    adam.dispose();
    tf.dispose([...weights, ...gradients, mask]);
    expect(tf.memory().numTensors).toBe(before);
  });

  // An odd size: the kernel's last values (after the last group of four) take its scalar path.
  it.each([4 * 2_501 + 3, 266_610])('equals tfjs Adam bit for bit on random data, %i values, with and without a mask', (size) => {
    // two parameters: the whole vector and a small one with no mask (as a bias)
    const random = new Random(size);
    const values = (scale: number): Float32Array => Float32Array.from({ length: size }, () => (random.next() - 0.5) * scale);
    const start = values(0.2);
    const ours = tf.variable(tf.tensor1d(start), true);
    const theirs = tf.variable(tf.tensor1d(start), true);
    const small = values(1).slice(0, 7);
    const oursSmall = tf.variable(tf.tensor1d(small), true);
    const theirsSmall = tf.variable(tf.tensor1d(small), true);
    const adam = new FusedAdam(1e-3, [[size], [7]]);
    const reference = tf.train.adam(1e-3);
    const maskValues = Float32Array.from({ length: size }, () => (random.next() < 0.6 ? 0 : 1));
    const mask = tf.tensor1d(maskValues);
    try {
      for (let step = 0; step < 6; step++) {
        // gradients of very different magnitudes (and exact zeros) so v spans a wide range
        const gradient = tf.tensor1d(values(step % 2 === 0 ? 1 : 1e-4).map((g, i) => (i % 97 === 0 ? 0 : g)));
        const smallGradient = tf.tensor1d(values(1).subarray(0, 7));
        const stepMasks = [step >= 3 ? mask : null, null];
        adam.apply([ours, oursSmall], [gradient, smallGradient], stepMasks);
        referenceStep(reference, [theirs, theirsSmall], [gradient, smallGradient], stepMasks);
        tf.dispose([gradient, smallGradient]);
        expect(bytes(ours.dataSync() as Float32Array).equals(bytes(theirs.dataSync() as Float32Array)), `step ${step}`).toBe(true);
        expect(bytes(oursSmall.dataSync() as Float32Array).equals(bytes(theirsSmall.dataSync() as Float32Array)), `step ${step}`).toBe(true);
      }
      const final = ours.dataSync() as Float32Array;
      let moved = 0;
      let masked = 0;
      for (let i = 0; i < size; i++) {
        if (maskValues[i] === 0) masked += Object.is(final[i], 0) || Object.is(final[i], -0) ? 1 : 0;
        else if (final[i] !== start[i]) moved++;
      }
      expect(masked).toBe(maskValues.filter((m) => m === 0).length);
      expect(moved).toBeGreaterThan(0.95 * (size - masked)); // the comparison is not of untouched values
    } finally {
      adam.dispose();
      reference.dispose();
      tf.dispose([ours, theirs, oursSmall, theirsSmall, mask]);
    }
  });

  it('follows a learning-rate schedule as tfjs Adam does with the same rate set before each step, bit for bit', () => {
    const random = new Random(11);
    const size = 4 * 1_000 + 1;
    const start = Float32Array.from({ length: size }, () => random.next() - 0.5);
    const ours = tf.variable(tf.tensor1d(start), true);
    const theirs = tf.variable(tf.tensor1d(start), true);
    const adam = new FusedAdam(2e-3, [[size]]);
    const reference = new ScheduledAdam(2e-3);
    const steps = 8;
    try {
      for (let step = 0; step < steps; step++) {
        const gradient = tf.tensor1d(Float32Array.from({ length: size }, () => random.next() - 0.5));
        const rate = learningRateAt('cosine', 2e-3, step, steps);
        adam.setLearningRate(rate);
        adam.apply([ours], [gradient]);
        reference.setLearningRate(rate);
        referenceStep(reference, [theirs], [gradient], [null]);
        gradient.dispose();
        expect(bytes(ours.dataSync() as Float32Array).equals(bytes(theirs.dataSync() as Float32Array)), `step ${step}`).toBe(true);
      }
      // the rates reached the weights: a constant 2e-3 would have moved them further
      const constant = new FusedAdam(2e-3, [[size]]);
      const unscheduled = tf.variable(tf.tensor1d(start), true);
      const replay = new Random(11);
      for (let i = 0; i < size; i++) replay.next();
      for (let step = 0; step < steps; step++) {
        const gradient = tf.tensor1d(Float32Array.from({ length: size }, () => replay.next() - 0.5));
        constant.apply([unscheduled], [gradient]);
        gradient.dispose();
      }
      const distance = (a: tf.Variable): number => tf.tidy(() => tf.sum(tf.abs(tf.sub(a, tf.tensor1d(start)))).dataSync()[0] ?? 0);
      expect(distance(ours)).toBeLessThan(0.9 * distance(unscheduled));
      constant.dispose();
      unscheduled.dispose();
    } finally {
      adam.dispose();
      reference.dispose();
      tf.dispose([ours, theirs]);
    }
  });

  it('equals tfjs Adam bit for bit over real training steps of LeNet-300-100 with pruning', () => {
    const input = { height: 28, width: 28, channels: 1 };
    const specs = paramSpecs('mlp', input, 10);
    const init = initialParams(specs, new Random(11));
    const ours = new ModelParams(specs, init);
    const theirs = new ModelParams(specs, init);
    const adam = new FusedAdam(1e-3, specs.map((s) => s.shape));
    const reference = tf.train.adam(1e-3);
    const random = new Random(12);
    const batch = 64;
    const masks: (tf.Tensor | null)[] = specs.map(() => null);
    const gradients = (params: ModelParams, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor[] =>
      tf.tidy(
        () =>
          tf.valueAndGrads((...layers: tf.Tensor[]) => {
            const logits = forward('mlp', new Map(specs.map((spec, i) => [spec.name, layers[i] as tf.Tensor])), x, input);
            return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
          })(params.variables).grads,
      );
    const same = (): boolean => {
      const [a, b] = [ours.values(), theirs.values()];
      return a.every((values, i) => bytes(values).equals(bytes(b[i] as Float32Array)));
    };
    try {
      for (let s = 0; s < 8; s++) {
        if (s === 4) {
          // prune half of every kernel by magnitude, as the trainer's schedule does
          const values = ours.values();
          for (const [i, spec] of specs.entries()) if (spec.kind === 'kernel') masks[i] = tf.tensor(magnitudeMask(values[i] as Float32Array, 0.5), spec.shape);
        }
        const x = tf.tensor2d(Float32Array.from({ length: batch * 784 }, () => random.next() * 2 - 1), [batch, 784]);
        const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, () => Math.floor(random.next() * 10)), 'int32'), 10).toFloat() as tf.Tensor2D;
        const ourGradients = gradients(ours, x, y);
        const theirGradients = gradients(theirs, x, y);
        adam.apply(ours.variables, ourGradients, masks);
        referenceStep(reference, theirs.variables, theirGradients, masks);
        tf.dispose([x, y, ...ourGradients, ...theirGradients]);
        expect(same(), `step ${s}`).toBe(true);
      }
      const moved = ours.values().map((values, i) => values.filter((w, k) => w !== init.get(specs[i]?.name ?? '')?.[k]).length);
      const kept = masks.map((m) => (m ? (m.dataSync() as Float32Array).filter((x) => x === 1).length : null));
      for (const [i, spec] of specs.entries()) expect(moved[i], spec.name).toBeGreaterThan(0.9 * (kept[i] ?? spec.shape.reduce((a, b) => a * b, 1)));
    } finally {
      adam.dispose();
      reference.dispose();
      ours.dispose();
      theirs.dispose();
      tf.dispose(masks.filter((m): m is tf.Tensor => m !== null));
    }
  });
});
