import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendName } from '../../src-main/core/training/backend.js';
import { FlatAdam } from '../../src-main/core/training/fused-adam.js';
import { FlatParams, sizeOf } from '../../src-main/core/training/flat-params.js';
import { forward, initialParams, paramSpecs } from '../../src-main/core/training/network.js';
import { magnitudeMask } from '../../src-main/core/training/pruning.js';
import { Random } from '../../src-main/core/random.js';

const bytes = (values: Float32Array): Buffer => Buffer.from(values.buffer, values.byteOffset, values.byteLength);

/** tfjs's own Adam followed by the mask's product: what the trainer did before the fused kernel. */
function referenceStep(optimizer: tf.Optimizer, weights: tf.Variable, gradient: tf.Tensor, mask: tf.Tensor | null): void {
  optimizer.applyGradients([{ name: weights.name, tensor: gradient }]);
  if (mask) tf.tidy(() => weights.assign(tf.mul(weights, mask)));
}

// The trainer's optimizer (FlatAdam) must give tfjs's AdamOptimizer's weights bit for bit:
// on WASM through the fused kernel, elsewhere through tfjs's optimizer itself.
describe.each<BackendName>(['wasm', 'cpu'])('Adam over the flat vector (%s backend)', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it(`runs the ${backend === 'wasm' ? 'fused kernel' : 'tfjs optimizer'}`, () => {
    const adam = new FlatAdam(1e-3, 8);
    expect(adam.isFused).toBe(backend === 'wasm');
    adam.dispose();
  });

  // An odd size: the kernel's last values (after the last group of four) take its scalar path.
  it.each([4 * 2_501 + 3, 266_610])('equals tfjs Adam bit for bit on random data, %i values, with and without a mask', (size) => {
    const random = new Random(size);
    const values = (scale: number): Float32Array => Float32Array.from({ length: size }, () => (random.next() - 0.5) * scale);
    const start = values(0.2);
    const ours = tf.variable(tf.tensor1d(start), true);
    const theirs = tf.variable(tf.tensor1d(start), true);
    const adam = new FlatAdam(1e-3, size);
    const reference = tf.train.adam(1e-3);
    const maskValues = Float32Array.from({ length: size }, () => (random.next() < 0.6 ? 0 : 1));
    const mask = tf.tensor1d(maskValues);
    try {
      for (let step = 0; step < 6; step++) {
        // gradients of very different magnitudes (and exact zeros) so v spans a wide range
        const gradient = tf.tensor1d(values(step % 2 === 0 ? 1 : 1e-4).map((g, i) => (i % 97 === 0 ? 0 : g)));
        const stepMask = step >= 3 ? mask : null;
        adam.apply(ours, gradient, stepMask);
        referenceStep(reference, theirs, gradient, stepMask);
        gradient.dispose();
        expect(bytes(ours.dataSync() as Float32Array).equals(bytes(theirs.dataSync() as Float32Array)), `step ${step}`).toBe(true);
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
      tf.dispose([ours, theirs, mask]);
    }
  });

  it('equals tfjs Adam bit for bit over real training steps of LeNet-300-100 with pruning', () => {
    const input = { height: 28, width: 28, channels: 1 };
    const specs = paramSpecs('mlp', input, 10);
    const init = initialParams(specs, new Random(11));
    const ours = new FlatParams(specs, init);
    const theirs = new FlatParams(specs, init);
    const adam = new FlatAdam(1e-3, ours.size);
    const reference = tf.train.adam(1e-3);
    const random = new Random(12);
    const batch = 64;
    let mask: tf.Tensor1D | null = null;
    const step = (params: FlatParams, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor =>
      tf.tidy(() => {
        const { grads } = tf.valueAndGrads((...layers: tf.Tensor[]) => {
          const logits = forward('mlp', new Map(specs.map((spec, i) => [spec.name, layers[i] as tf.Tensor])), x, input);
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        })(params.layers());
        return params.flatten(grads);
      });
    try {
      for (let s = 0; s < 8; s++) {
        if (s === 4) {
          // prune half of every kernel by magnitude, as the trainer's schedule does
          const values = ours.current();
          const next = new Float32Array(ours.size).fill(1);
          for (const spec of specs.filter((p) => p.kind === 'kernel')) {
            const offset = ours.offsetOf(spec.name);
            next.set(magnitudeMask(values.subarray(offset, offset + sizeOf(spec)), 0.5), offset);
          }
          mask = tf.tensor1d(next);
        }
        const x = tf.tensor2d(Float32Array.from({ length: batch * 784 }, () => random.next() * 2 - 1), [batch, 784]);
        const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, () => Math.floor(random.next() * 10)), 'int32'), 10).toFloat() as tf.Tensor2D;
        const ourGradient = step(ours, x, y);
        const theirGradient = step(theirs, x, y);
        adam.apply(ours.variable, ourGradient, mask);
        referenceStep(reference, theirs.variable, theirGradient, mask);
        tf.dispose([x, y, ourGradient, theirGradient]);
        expect(bytes(ours.current()).equals(bytes(Float32Array.from(theirs.current()))), `step ${s}`).toBe(true);
      }
      const init0 = Float32Array.from(specs.flatMap((spec) => Array.from(init.get(spec.name) ?? [])));
      const final = ours.current();
      expect(final.filter((w, i) => w !== init0[i]).length).toBeGreaterThan(0.9 * ours.size);
    } finally {
      adam.dispose();
      reference.dispose();
      tf.dispose([ours.variable, theirs.variable, ...(mask ? [mask] : [])]);
    }
  });
});
