import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/core/training/backend.js';
import { conv2d, type ConvPadding } from '../../src-main/core/training/conv.js';
import { forward, initialParams, paramSpecs } from '../../src-main/core/training/network.js';
import { Random } from '../../src-main/core/random.js';

/**
 * Our convolution gradient on the WASM backend against tfjs's own conv2d gradient on
 * the CPU backend (the WASM backend cannot compute the latter at all), on the same
 * numbers.
 */

const uniform = (random: Random, size: number, scale = 1): Float32Array => Float32Array.from({ length: size }, () => (random.next() * 2 - 1) * scale);

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

type Shape4 = [number, number, number, number];

/** Gradients of sum(conv(x, w) * dy) with respect to x and w, on the current backend. */
function layerGradients(
  conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
  values: { x: Float32Array; w: Float32Array; dy: Float32Array },
  shapes: { x: Shape4; w: Shape4; y: Shape4 },
): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(values.x, shapes.x);
    const w = tf.tensor4d(values.w, shapes.w);
    const dy = tf.tensor4d(values.dy, shapes.y);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
    return { dx: dx?.dataSync() as Float32Array, dw: dw?.dataSync() as Float32Array };
  });
}

describe('convolution gradient on WASM', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(async () => {
    await selectBackend('wasm');
  });

  const cases: { name: string; batch: number; side: number; k: number; inC: number; outC: number; padding: ConvPadding }[] = [
    { name: "LeNet-5's first layer (5x5, 'same', 1 -> 6)", batch: 16, side: 28, k: 5, inC: 1, outC: 6, padding: 'same' },
    { name: "LeNet-5's second layer (5x5, 'valid', 6 -> 16)", batch: 16, side: 14, k: 5, inC: 6, outC: 16, padding: 'valid' },
    { name: "a 3x3 'same' layer on a non-square batch of channels (3 -> 4)", batch: 5, side: 9, k: 3, inC: 3, outC: 4, padding: 'same' },
  ];
  for (const c of cases) {
    it(`equals tfjs's conv2d gradient on the CPU backend to 1e-5: ${c.name}`, async () => {
      const random = new Random(c.side * 31 + c.inC);
      const out = c.padding === 'same' ? c.side : c.side - c.k + 1;
      const shapes: { x: Shape4; w: Shape4; y: Shape4 } = { x: [c.batch, c.side, c.side, c.inC], w: [c.k, c.k, c.inC, c.outC], y: [c.batch, out, out, c.outC] };
      // Magnitudes as in training: activations of order 1, a mean loss's small output gradient.
      const values = {
        x: uniform(random, c.batch * c.side * c.side * c.inC),
        w: uniform(random, c.k * c.k * c.inC * c.outC, 0.3),
        dy: uniform(random, c.batch * out * out * c.outC, 1 / (c.batch * 10)),
      };
      await selectBackend('wasm');
      const ours = layerGradients((x, w) => conv2d(x, w, c.padding), values, shapes);
      await selectBackend('cpu');
      const reference = layerGradients((x, w) => tf.conv2d(x, w, 1, c.padding), values, shapes);
      expect(maxAbsDifference(reference.dw, ours.dw)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDifference(reference.dx, ours.dx)).toBeLessThanOrEqual(1e-5);
      // Not vacuous: the gradients are far from zero.
      expect(Math.max(...reference.dw.map(Math.abs))).toBeGreaterThan(1e-2);
      expect(Math.max(...reference.dx.map(Math.abs))).toBeGreaterThan(1e-3);
      await selectBackend('wasm');
      // The input layer's form computes the same filter gradient and no input gradient.
      const inputLayer = layerGradients((x, w) => conv2d(x, w, c.padding, true), values, shapes);
      expect(maxAbsDifference(reference.dw, inputLayer.dw)).toBeLessThanOrEqual(1e-5);
      expect(inputLayer.dx.every((v) => v === 0)).toBe(true);
    });
  }

  it("gives the whole CNN's loss gradients equal to tfjs's own on the CPU backend to 1e-5", async () => {
    const input = { height: 28, width: 28, channels: 1 };
    const specs = paramSpecs('cnn', input, 10);
    const init = initialParams(specs, new Random(3));
    const random = new Random(4);
    const batch = 16;
    const pixels = uniform(random, batch * 784);
    const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
    const gradients = (useOurs: boolean): Map<string, Float32Array> => {
      const x = tf.tensor2d(pixels, [batch, 784]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const params = new Map(specs.map((s) => [s.name, tf.variable(tf.tensor(init.get(s.name) ?? [], s.shape), true, `cnngrad/${useOurs}/${s.name}`)]));
      const get = (name: string): tf.Tensor => params.get(name) as tf.Tensor;
      // The reference: tfjs's conv2d and matMul with their built-in gradients.
      const plain = (): tf.Scalar => {
        const images = tf.reshape(x, [-1, 28, 28, 1]) as tf.Tensor4D;
        const c1 = tf.relu(tf.add(tf.conv2d(images, get('conv1/kernel') as tf.Tensor4D, 1, 'same'), get('conv1/bias')));
        const p1 = tf.maxPool(c1 as tf.Tensor4D, 2, 2, 'valid');
        const c2 = tf.relu(tf.add(tf.conv2d(p1, get('conv2/kernel') as tf.Tensor4D, 1, 'valid'), get('conv2/bias')));
        const p2 = tf.maxPool(c2 as tf.Tensor4D, 2, 2, 'valid');
        const flat = tf.reshape(p2, [batch, -1]) as tf.Tensor2D;
        const d1 = tf.relu(tf.add(tf.matMul(flat, get('dense1/kernel') as tf.Tensor2D), get('dense1/bias')));
        const d2 = tf.relu(tf.add(tf.matMul(d1 as tf.Tensor2D, get('dense2/kernel') as tf.Tensor2D), get('dense2/bias')));
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(d2 as tf.Tensor2D, get('dense3/kernel') as tf.Tensor2D), get('dense3/bias'))) as tf.Scalar;
      };
      const ours = (): tf.Scalar => tf.losses.softmaxCrossEntropy(y, forward('cnn', params, x, input)) as tf.Scalar;
      const result = tf.variableGrads(useOurs ? ours : plain, [...params.values()]);
      const out = new Map(specs.map((s) => [s.name, result.grads[`cnngrad/${useOurs}/${s.name}`]?.dataSync() as Float32Array]));
      tf.dispose([x, y, ...params.values(), result.value, ...Object.values(result.grads)]);
      return out;
    };
    await selectBackend('wasm');
    const ours = gradients(true);
    await selectBackend('cpu');
    const reference = gradients(false);
    await selectBackend('wasm');
    for (const spec of specs) {
      const a = reference.get(spec.name) ?? new Float32Array();
      const b = ours.get(spec.name) ?? new Float32Array(1);
      expect(maxAbsDifference(a, b), spec.name).toBeLessThanOrEqual(1e-5);
      expect(Math.max(...a.map(Math.abs)), spec.name).toBeGreaterThan(1e-4);
    }
  });
});
