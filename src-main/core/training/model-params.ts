import * as tf from '@tensorflow/tfjs';
import type { ParamSpec } from './network.js';

/**
 * A model's parameters as one variable per layer parameter, handed to the gradient and to
 * the optimizer as they are: the optimizer (FusedAdam) updates them all in one kernel on
 * WASM, so nothing is copied out of or into a flat vector on each step (the earlier flat
 * vector cost a 1 MB copy out, six new tensors and a concatenation of the gradients a step).
 */
export class ModelParams {
  readonly variables: tf.Variable[];

  constructor(
    readonly specs: ParamSpec[],
    initial: Map<string, Float32Array>,
  ) {
    this.variables = specs.map((spec) => {
      const start = tf.tensor(initial.get(spec.name) ?? new Float32Array(sizeOf(spec)), spec.shape);
      const variable = tf.variable(start, true);
      start.dispose();
      return variable;
    });
  }

  /** Each parameter's current values, copied, in spec order. */
  values(): Float32Array[] {
    return this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

export function sizeOf(spec: ParamSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}
