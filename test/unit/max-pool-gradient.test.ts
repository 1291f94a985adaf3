import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/core/training/backend.js';
import { maxPool2x2, maxPool2x2Backprop } from '../../src-main/core/training/pool.js';
import { Random } from '../../src-main/core/random.js';

/**
 * Our 2x2 max-pool gradient against tfjs's own MaxPoolGrad on the CPU backend, exactly,
 * on inputs full of ties (ReLU outputs of a few levels: most windows hold equal maxima).
 */

type Shape4 = [number, number, number, number];
const SHAPES: Shape4[] = [
  [3, 28, 28, 6], // conv1's output
  [2, 10, 10, 16], // conv2's output
  [2, 7, 9, 3], // odd sides: the last row and column belong to no window
];

function inputs(shape: Shape4, seed: number, levels: number | null): { x: Float32Array; dy: Float32Array } {
  const random = new Random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  // With levels: ReLU of a few integers, so zeros and equal maxima abound; without: continuous values.
  const x = Float32Array.from({ length: size }, () => (levels === null ? random.next() * 2 - 1 : Math.max(0, Math.floor(random.next() * levels) - 1)));
  const outSize = shape[0] * Math.floor(shape[1] / 2) * Math.floor(shape[2] / 2) * shape[3];
  const dy = Float32Array.from({ length: outSize }, () => random.next() * 2 - 1);
  return { x, dy };
}

/** tfjs's gradient of tf.maxPool(x, 2, 2, 'valid') for the output gradient dy, on the CPU backend. */
async function reference(x: Float32Array, dy: Float32Array, shape: Shape4): Promise<Float32Array> {
  await selectBackend('cpu');
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, shape);
    const value = tf.maxPool(xt, 2, 2, 'valid');
    return tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))(xt, tf.tensor(dy, value.shape)).dataSync() as Float32Array;
  });
}

function tiedWindows(x: Float32Array, shape: Shape4): number {
  const [b, h, w, c] = shape;
  let tied = 0;
  for (let n = 0; n < b; n++)
    for (let r = 0; r + 1 < h; r += 2)
      for (let q = 0; q + 1 < w; q += 2)
        for (let d = 0; d < c; d++) {
          const at = (rr: number, cc: number): number => x[((n * h + rr) * w + cc) * c + d] ?? NaN;
          const v = [at(r, q), at(r, q + 1), at(r + 1, q), at(r + 1, q + 1)];
          const max = Math.max(...v);
          if (v.filter((u) => u === max).length > 1) tied++;
        }
  return tied;
}

describe('the 2x2 max-pool gradient', () => {
  for (const shape of SHAPES) {
    for (const levels of [3, 5, null]) {
      it(`equals tfjs's MaxPoolGrad (CPU backend) exactly on ${shape.join('x')}, ${levels === null ? 'continuous values' : `ReLU of ${levels} levels`}`, async () => {
        const { x, dy } = inputs(shape, shape[1] * 100 + (levels ?? 0), levels);
        if (levels !== null) expect(tiedWindows(x, shape)).toBeGreaterThan(x.length / 40);
        const expected = await reference(x, dy, shape);
        expect(maxPool2x2Backprop(x, dy, shape)).toEqual(expected);
      });
    }
  }

  it('gives no gradient to a window of -Infinity, as tfjs does', async () => {
    const shape: Shape4 = [1, 2, 4, 1];
    const x = Float32Array.from([-Infinity, -Infinity, 1, 1, -Infinity, -Infinity, 1, 2]);
    const dy = Float32Array.from([0.5, 0.25]);
    const expected = await reference(x, dy, shape);
    expect(Array.from(expected)).toEqual([0, 0, 0, 0, 0, 0, 0, 0.25]);
    expect(maxPool2x2Backprop(x, dy, shape)).toEqual(expected);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`is the gradient of maxPool2x2 on ${backend}, whose value is tf.maxPool's`, async () => {
      const shape = SHAPES[0] as Shape4;
      const { x, dy } = inputs(shape, 11, 4);
      const expected = await reference(x, dy, shape);
      await selectBackend(backend);
      const { value, grad, pooled } = tf.tidy(() => {
        const xt = tf.tensor4d(x, shape);
        const out = maxPool2x2(xt);
        return {
          value: out.dataSync(),
          pooled: tf.maxPool(xt, 2, 2, 'valid').dataSync(),
          grad: tf.grad((t: tf.Tensor) => maxPool2x2(t as tf.Tensor4D))(xt, tf.tensor(dy, out.shape)).dataSync(),
        };
      });
      expect(value).toEqual(pooled);
      expect(grad).toEqual(expected);
    });
  }
});
