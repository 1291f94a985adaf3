import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src-main/core/training/backend.js';
import { forward, initialParams, paramSpecs } from '../../src-main/core/training/network.js';
import { Random } from '../../src-main/core/random.js';

describe('fast dense-layer gradient', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it("equals tfjs's own gradient of the same network to 1e-5", () => {
    const input = { height: 28, width: 28, channels: 1 };
    const specs = paramSpecs('mlp', input, 10);
    const init = initialParams(specs, new Random(3));
    const random = new Random(4);
    const x = tf.tensor2d(Float32Array.from({ length: 64 * 784 }, () => random.next() * 2 - 1), [64, 784]);
    const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: 64 }, (_, i) => i % 10), 'int32'), 10);
    const params = new Map(specs.map((s) => [s.name, tf.variable(tf.tensor(init.get(s.name) ?? [], s.shape), true, `fastgrad/${s.name}`)]));
    const get = (name: string): tf.Tensor => params.get(name) as tf.Tensor;
    // The reference: the same network with tfjs's plain matMul and its built-in gradient.
    const plain = (): tf.Scalar => {
      const h1 = tf.relu(tf.add(tf.matMul(x, get('dense1/kernel') as tf.Tensor2D), get('dense1/bias')));
      const h2 = tf.relu(tf.add(tf.matMul(h1, get('dense2/kernel') as tf.Tensor2D), get('dense2/bias')));
      return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h2, get('dense3/kernel') as tf.Tensor2D), get('dense3/bias'))) as tf.Scalar;
    };
    const fast = (): tf.Scalar => tf.losses.softmaxCrossEntropy(y, forward('mlp', params, x, input)) as tf.Scalar;
    const reference = tf.variableGrads(plain, [...params.values()]);
    const ours = tf.variableGrads(fast, [...params.values()]);
    expect(Math.abs(reference.value.dataSync()[0]! - ours.value.dataSync()[0]!)).toBeLessThan(1e-6);
    for (const spec of specs) {
      const name = `fastgrad/${spec.name}`;
      const a = reference.grads[name]?.dataSync() ?? new Float32Array();
      const b = ours.grads[name]?.dataSync() ?? new Float32Array(1);
      expect(b.length, name).toBe(a.length);
      let max = 0;
      for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
      expect(max, name).toBeLessThanOrEqual(1e-5);
    }
    tf.dispose([x, y, ...params.values(), reference.value, ours.value, ...Object.values(reference.grads), ...Object.values(ours.grads)]);
  });
});
