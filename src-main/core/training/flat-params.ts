import * as tf from '@tensorflow/tfjs';
import type { ParamSpec } from './network.js';

/**
 * All of a model's parameters in one flat variable, so that the optimizer and the
 * pruning mask run as one pass each over all of them instead of one per parameter
 * (on the WASM backend Adam's ten kernels per parameter cost ~0.6 ms a step more as
 * six small passes than as one). The layers are copied out of it once per step.
 */
export class FlatParams {
  readonly variable: tf.Variable<tf.Rank.R1>;
  readonly size: number;
  private readonly offsets: number[];
  private readonly scratch: Float32Array;

  constructor(
    readonly specs: ParamSpec[],
    initial: Map<string, Float32Array>,
  ) {
    this.offsets = [];
    let size = 0;
    for (const spec of specs) {
      this.offsets.push(size);
      size += sizeOf(spec);
    }
    this.size = size;
    this.scratch = new Float32Array(size);
    for (const [i, spec] of specs.entries()) this.scratch.set(initial.get(spec.name) ?? [], this.offsets[i]);
    const start = tf.tensor1d(this.scratch);
    this.variable = tf.variable(start, true);
    start.dispose();
  }

  /** Where each parameter starts in the flat vector, by name. */
  offsetOf(name: string): number {
    const i = this.specs.findIndex((s) => s.name === name);
    if (i < 0) throw new Error(`missing parameter ${name}`);
    return this.offsets[i] ?? 0;
  }

  /** The current values, copied into an array that the next call reuses. */
  current(): Float32Array {
    // The WASM backend's slice reads its whole input into a new array on every call, and
    // dataSync copies too; its heap view costs one copy into our scratch array instead.
    const backend = tf.backend() as Partial<{ typedArrayFromHeap(t: tf.Tensor): Float32Array }>;
    if (typeof backend.typedArrayFromHeap === 'function' && this.variable.dtype === 'float32') {
      this.scratch.set(backend.typedArrayFromHeap(this.variable));
      return this.scratch;
    }
    return this.variable.dataSync() as Float32Array;
  }

  /** One new tensor per parameter with its current values, in spec order. */
  layers(): tf.Tensor[] {
    const values = this.current();
    return this.specs.map((spec, i) => {
      const offset = this.offsets[i] ?? 0;
      return tf.tensor(values.subarray(offset, offset + sizeOf(spec)), spec.shape);
    });
  }

  /** The flat gradient from one gradient per parameter, in spec order. */
  flatten(grads: tf.Tensor[]): tf.Tensor1D {
    return tf.concat(grads.map((g) => tf.reshape(g, [-1]))) as tf.Tensor1D;
  }
}

export function sizeOf(spec: ParamSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}
