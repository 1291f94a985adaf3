import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendName } from '../../src-main/core/training/backend.js';
import { ModelParams } from '../../src-main/core/training/model-params.js';
import { initialParams, paramSpecs } from '../../src-main/core/training/network.js';
import { Random } from '../../src-main/core/random.js';

describe.each<BackendName>(['wasm', 'cpu'])('model parameters (%s backend)', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('holds every parameter as a trainable variable with its own initial values and shape, and hands out copies', () => {
    const specs = paramSpecs('mlp', { height: 28, width: 28, channels: 1 }, 10);
    const init = initialParams(specs, new Random(5));
    const params = new ModelParams(specs, init);
    const before = tf.memory().numTensors;
    try {
      for (const [i, spec] of specs.entries()) {
        expect(params.variables[i]?.shape).toEqual(spec.shape);
        expect(params.variables[i]?.trainable).toBe(true);
      }
      const values = params.values();
      for (const [i, spec] of specs.entries()) expect(Array.from(values[i] ?? [])).toEqual(Array.from(init.get(spec.name) ?? []));
      (values[0] as Float32Array)[0] = 123; // a copy: the variable keeps its value
      expect(params.values()[0]?.[0]).toBe(init.get(specs[0]?.name ?? '')?.[0]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      params.dispose();
    }
    expect(tf.memory().numTensors).toBe(before - specs.length);
  });
});
