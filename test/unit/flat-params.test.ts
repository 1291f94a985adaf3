import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendName } from '../../src-main/core/training/backend.js';
import { FlatParams } from '../../src-main/core/training/flat-params.js';
import { initialParams, paramSpecs } from '../../src-main/core/training/network.js';
import { Random } from '../../src-main/core/random.js';

// The trainer runs Adam once over all parameters as one flat vector; this checks that it
// gives the same weights, bit for bit, as tfjs's Adam run per parameter.
describe.each<BackendName>(['wasm', 'cpu'])('flat parameters (%s backend)', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('hands out every parameter with its own values and shape, and Adam over the flat vector equals Adam per parameter exactly', () => {
    const specs = paramSpecs('mlp', { height: 28, width: 28, channels: 1 }, 10);
    const init = initialParams(specs, new Random(5));
    const flat = new FlatParams(specs, init);
    const perParam = specs.map((s) => tf.variable(tf.tensor(init.get(s.name) ?? [], s.shape), true));
    const flatAdam = tf.train.adam(1e-3);
    const perParamAdam = tf.train.adam(1e-3);
    const random = new Random(6);
    try {
      for (const [i, layer] of flat.layers().entries()) {
        expect(layer.shape).toEqual(specs[i]?.shape);
        expect(Array.from(layer.dataSync())).toEqual(Array.from(init.get(specs[i]?.name ?? '') ?? []));
        layer.dispose();
      }
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => {
          const grads = specs.map((s) => tf.tensor(Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => random.next() - 0.5), s.shape));
          flatAdam.applyGradients([{ name: flat.variable.name, tensor: flat.flatten(grads) }]);
          perParamAdam.applyGradients(perParam.map((v, i) => ({ name: v.name, tensor: grads[i] as tf.Tensor })));
        });
      }
      const values = flat.current();
      let changed = 0;
      for (const [i, spec] of specs.entries()) {
        const offset = flat.offsetOf(spec.name);
        const ours = values.subarray(offset, offset + (init.get(spec.name)?.length ?? 0));
        const reference = perParam[i]?.dataSync() as Float32Array;
        expect(Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength).equals(Buffer.from(reference.buffer, reference.byteOffset, reference.byteLength))).toBe(true);
        for (let k = 0; k < ours.length; k++) if (ours[k] !== init.get(spec.name)?.[k]) changed++;
      }
      expect(changed).toBe(flat.size); // every weight moved: the comparison is not of untouched values
    } finally {
      flatAdam.dispose();
      perParamAdam.dispose();
      tf.dispose([flat.variable, ...perParam]);
    }
  });
});
